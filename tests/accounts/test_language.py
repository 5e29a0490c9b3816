import polib
import pytest
from django.conf import settings
from django.utils import translation

pytestmark = pytest.mark.django_db

LOCALE = settings.BASE_DIR / "locale"


def test_language_is_negotiated_from_the_browser(client, sample_content):
    korean = client.get("/", headers={"accept-language": "ko-KR,ko;q=0.9,en;q=0.5"})
    assert '<html lang="ko">' in korean.content.decode()
    assert "코스" in korean.content.decode()
    english = client.get("/", headers={"accept-language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in english.content.decode()
    assert "Courses" in english.content.decode()


def test_switching_language_keeps_the_reader_on_the_same_page(client, sample_content):
    lesson = "/courses/generative-media/how-diffusion-works/"
    response = client.post("/language/", {"language": "ko", "next": lesson})
    assert response.status_code == 302
    assert response["Location"] == lesson
    page = client.get(lesson, headers={"accept-language": "en"}).content.decode()
    assert "핵심 정리" in page and "연습 과제" in page


def test_signed_in_choice_is_kept_in_the_profile_and_follows_the_learner(
    client, learner, sample_content
):
    client.post("/accounts/login/", {"login": "mina@example.com", "password": "learner-pass-42"})
    client.post("/language/", {"language": "ko", "next": "/"})
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.language == "ko"

    # A new browser that prefers English: after signing in, Stream speaks Korean.
    client.cookies.clear()
    client.post("/accounts/login/", {"login": "mina@example.com", "password": "learner-pass-42"})
    page = client.get("/", headers={"accept-language": "en"}).content.decode()
    assert '<html lang="ko">' in page


def test_korean_catalogue_is_complete_and_nothing_is_fuzzy():
    for domain in ("django.po", "djangojs.po"):
        path = LOCALE / "ko" / "LC_MESSAGES" / domain
        if not path.exists():
            continue
        catalogue = polib.pofile(str(path))
        untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
        fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]
        assert untranslated == [], f"{domain}: untranslated in ko: {untranslated}"
        assert fuzzy == [], f"{domain}: fuzzy in ko: {fuzzy}"


def test_compiled_korean_catalogue_matches_the_po_file():
    """Fails when someone edited django.po but forgot `manage.py compilemessages`."""
    catalogue = polib.pofile(str(LOCALE / "ko" / "LC_MESSAGES" / "django.po"))
    with translation.override("ko"):
        for entry in catalogue.translated_entries():
            if entry.msgid_plural:
                assert (
                    translation.ngettext(entry.msgid, entry.msgid_plural, 2)
                    == entry.msgstr_plural[0]
                )
            elif entry.msgctxt:
                assert translation.pgettext(entry.msgctxt, entry.msgid) == entry.msgstr
            else:
                assert translation.gettext(entry.msgid) == entry.msgstr, entry.msgid


def test_every_template_string_is_in_the_catalogue():
    """A string wrapped in {% translate %} but never extracted would stay English in Korean."""
    import re

    catalogue = {
        entry.msgid for entry in polib.pofile(str(LOCALE / "ko" / "LC_MESSAGES" / "django.po"))
    }
    pattern = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]+)"')
    missing = []
    for template in (settings.BASE_DIR / "templates").rglob("*.html"):
        if "allauth" in template.parts:
            continue  # allauth's own strings are translated by allauth's catalogue
        for msgid in pattern.findall(template.read_text(encoding="utf-8")):
            if msgid not in catalogue:
                missing.append(f"{template.name}: {msgid}")
    assert missing == []
