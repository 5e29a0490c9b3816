import shutil
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.core.management import call_command
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


GETTEXT_TOOLS = ("xgettext", "msguniq", "msgmerge")  # what makemessages runs
# What makemessages reads for the "django" domain: Python, and .html and .txt as templates.
MAKEMESSAGES_READS = {".py", ".html", ".txt"}


def sources_copy(destination: Path) -> Path:
    """The files makemessages reads, copied: it writes scratch files beside each template."""

    def not_read(directory: str, names: list[str]) -> list[str]:
        return [
            name
            for name in names
            # Hidden folders (.venv, .git) are makemessages' own default --ignore.
            if name.startswith(".")
            or (Path(directory) == settings.BASE_DIR and name == "locale")
            or (Path(directory, name).is_file() and Path(name).suffix not in MAKEMESSAGES_READS)
        ]

    shutil.copytree(settings.BASE_DIR, destination, ignore=not_read)
    return destination


def translated(entry: polib.POEntry | None, *, plural: bool) -> bool:
    if entry is None or entry.fuzzy or bool(entry.msgid_plural) != plural:
        return False
    if plural:
        return bool(entry.msgstr_plural) and all(entry.msgstr_plural.values())
    return bool(entry.msgstr)


@pytest.mark.skipif(
    not all(shutil.which(tool) for tool in GETTEXT_TOOLS),
    reason="needs GNU gettext's xgettext, msguniq and msgmerge (Debian package 'gettext')",
)
def test_every_translatable_string_is_translated_in_korean(tmp_path, settings, monkeypatch):
    """Extract every string as the README's makemessages command does, and look each one up.

    A string marked for translation in Python (gettext, gettext_lazy, ngettext, pgettext, …) or
    in a template ({% translate %}, {% blocktranslate %}) but missing from the catalogue would
    stay English for Korean readers.
    """
    project = sources_copy(tmp_path / "project")
    # An empty locale folder: makemessages only extracts here, into django.pot; what is checked
    # is the committed catalogue, so nothing msgmerge guesses (fuzzy matches) can count.
    (project / "locale").mkdir()
    settings.LOCALE_PATHS = [project / "locale"]
    monkeypatch.chdir(project)
    call_command(
        "makemessages",
        locale=["ko"],
        no_location=True,
        ignore_patterns=[".venv/*", "tests/*", "bench/*"],
        keep_pot=True,
        verbosity=0,
    )
    extracted = polib.pofile(str(project / "locale" / "django.pot"))
    assert len(extracted) > 0, "makemessages found no strings at all"

    committed = {
        (entry.msgctxt, entry.msgid): entry
        for entry in polib.pofile(str(LOCALE / "ko" / "LC_MESSAGES" / "django.po"))
        if not entry.obsolete
    }
    missing = [
        (f"{entry.msgctxt} | " if entry.msgctxt else "") + entry.msgid
        for entry in extracted
        if not translated(
            committed.get((entry.msgctxt, entry.msgid)), plural=bool(entry.msgid_plural)
        )
    ]
    assert not missing, (
        "not translated (or fuzzy) in locale/ko/LC_MESSAGES/django.po; run makemessages as the "
        "README says and translate them:\n" + "\n".join(missing)
    )
