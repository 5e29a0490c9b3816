"""No state of the cache can make a page fail or show the wrong reader's data: whatever cannot
be used is logged and the page rendered as if nothing was cached (lessons.caching.fallback)."""

import logging
import re

import pytest
from django.core.cache import caches
from django.test import Client

from comments.models import Comment
from comments.services import comment_post
from courses.cache_names import lesson_page
from lessons.caching import fallback, pages, shells, versions
from lessons.caching.shells import is_plain
from progress.services import lesson_complete
from tests.conftest import learner_make

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+|(csrf-token" content=")[^"]+')


def without_csrf(html: bytes) -> str:
    return CSRF.sub(lambda m: m.group(1) or m.group(2), html.decode())


@pytest.fixture
def two_learners(db, lessons):
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    jun = learner_make("jun", "jun@example.com", "learner-pass-42", "Jun")
    lesson_complete(user=mina, lesson=lessons[0])
    browsers = {}
    for name, user in (("mina", mina), ("jun", jun)):
        browsers[name] = Client()
        browsers[name].force_login(user)
    return browsers, mina, jun


@pytest.fixture(autouse=True)
def _log_every_fallback(monkeypatch):
    monkeypatch.setattr(fallback, "_last_logged", {})


def fresh(client: Client, url: str, settings) -> str:
    """The page as it is rendered with caching off, for the same reader."""
    settings.PAGE_CACHE = False
    try:
        return without_csrf(client.get(url).content)
    finally:
        settings.PAGE_CACHE = True


def test_a_comment_and_a_name_with_the_old_cut_character_leave_the_page_working(
    two_learners, lessons, settings
):
    # Stored before control characters were refused at input (or written by a script): the
    # shell must not be cut at them.
    browsers, mina, jun = two_learners
    lesson = lessons[0]
    Comment.objects.create(lesson=lesson, author=jun, body="a\x1eb", body_html="<p>a\x1eb</p>")
    jun.learner_profile.display_name = "J\x1eun"
    jun.learner_profile.save()
    versions.changed(lesson_page(lesson.pk))
    url = lesson.get_absolute_url()
    for _round in range(2):
        for name in ("mina", "jun"):
            response = browsers[name].get(url)
            assert response.status_code == 200
            assert without_csrf(response.content) == fresh(browsers[name], url, settings)


def test_text_made_to_look_like_a_cut_marker_is_only_text(two_learners, lessons, settings):
    browsers, mina, jun = two_learners
    lesson = lessons[0]
    url = lesson.get_absolute_url()
    browsers["mina"].get(url)  # a shell exists; its marker was random and is gone
    forged = "streamcut" + "0" * 32 + " streamcsrf" + "f" * 32
    comment_post(author=jun, lesson=lesson, body=forged)
    for name in ("jun", "mina", "jun"):
        response = browsers[name].get(url)
        assert response.status_code == 200 and forged in response.content.decode()
        assert without_csrf(response.content) == fresh(browsers[name], url, settings)


def shell_keys() -> list[str]:
    return [key for key in list(caches["pages"]._cache) if ":pagecache:shell:" in key]


def test_a_shell_whose_pieces_and_cuts_disagree_is_not_used(
    two_learners, lessons, settings, caplog
):
    browsers, _mina, _jun = two_learners
    url = lessons[0].get_absolute_url()
    browsers["mina"].get(url)
    store = caches["pages"]
    for key in shell_keys():
        plain_key = key.split(":", 2)[2]
        if ":reader:" in plain_key:
            continue
        shell = store.get(plain_key)
        shell["pieces"] = shell["pieces"][:-1]  # one cut too many
        store.set(plain_key, shell)
    with caplog.at_level(logging.WARNING, logger="lessons.caching"):
        response = browsers["jun"].get(url)
    assert response.status_code == 200
    assert without_csrf(response.content) == fresh(browsers["jun"], url, settings)
    assert "Cached shell unusable" in caplog.text


@pytest.mark.parametrize("garbage", [None, 42, "text", {"made": "?"}, {"unexpected": 1}, [1, 2]])
def test_an_entry_that_cannot_be_read_renders_the_page_afresh(
    garbage, two_learners, lessons, settings, client
):
    browsers, _mina, _jun = two_learners
    url = lessons[0].get_absolute_url()
    client.get(url), browsers["mina"].get(url)
    store = caches["pages"]
    for key in [k.split(":", 2)[2] for k in list(store._cache) if ":pagecache:" in k]:
        store.set(key, garbage)
    for reader in (client, browsers["mina"], browsers["jun"]):
        response = reader.get(url)
        assert response.status_code == 200
        assert without_csrf(response.content) == fresh(reader, url, settings)


def test_a_cache_that_fails_outright_still_serves_every_reader(
    two_learners, lessons, settings, client, monkeypatch, caplog
):
    browsers, _mina, _jun = two_learners
    url = lessons[0].get_absolute_url()

    def broken(*args, **kwargs):
        raise RuntimeError("the cache is broken")

    monkeypatch.setattr(shells, "current_copy", broken)
    monkeypatch.setattr(pages, "current_copy", broken)
    with caplog.at_level(logging.WARNING, logger="lessons.caching"):
        for reader in (client, browsers["mina"], browsers["jun"]):
            assert reader.get(url).status_code == 200
    assert "RuntimeError: the cache is broken" in caplog.text
    monkeypatch.undo()
    assert "Mina" in browsers["mina"].get(url).content.decode()


def test_personal_parts_take_plain_values_only():
    assert is_plain({"ids": [1, 2], "name": "x", "until": 1.5, "flag": None})
    assert not is_plain({"lesson": object()})
    assert not is_plain({1: "key not a string"})
    with pytest.raises(TypeError, match="plain values only"):
        shells.personal_part({}, "learner-bar", {"user": object()})


def test_every_entry_the_pages_leave_in_the_cache_is_plain_data(two_learners, lessons, client):
    browsers, _mina, _jun = two_learners
    for url in (lessons[0].get_absolute_url(), lessons[0].course.get_absolute_url(), "/"):
        for reader in (client, *browsers.values()):
            reader.get(url), reader.get(url)
    browsers["mina"].get("/progress/")
    store = caches["pages"]
    entries = {key: store.get(key) for key in [k.split(":", 2)[2] for k in list(store._cache)]}
    assert entries
    for key, value in entries.items():
        assert (
            is_plain(value)
            or isinstance(value, bytes)
            or is_plain({k: v for k, v in value.items() if not isinstance(v, bytes)})
        ), key
