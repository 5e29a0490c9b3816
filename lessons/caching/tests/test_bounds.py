"""The cache stays bounded whatever clients send: a page varies only on what it reads, and
filling the pages' cache can never evict a session or a rate-limit counter (they live apart)."""

import shutil

import pytest
from django.core.cache import caches
from django.test import Client

from lessons.caching import fallback
from lessons.ratelimits import rate_limit_hit
from tests.production.conftest import RedisServer, redis_caches


def page_keys(kind: str) -> list[str]:
    return [key for key in list(caches["pages"]._cache) if f":pagecache:{kind}:" in key]


def test_a_hundred_query_strings_make_no_new_copies_of_a_page(client, lessons):
    url = lessons[0].get_absolute_url()
    first = client.get(url).content
    assert len(page_keys("page")) == 1
    for number in range(100):
        response = client.get(f"{url}?utm_source={number}&page={number}&x=%00")
        assert response.status_code == 200
        assert response.content == first  # the canonical copy, links and all
    assert len(page_keys("page")) == 1


def test_a_learner_flooding_query_strings_makes_one_shell_and_one_set_of_parts(signed_in, lessons):
    url = lessons[0].course.get_absolute_url()
    for number in range(50):
        assert signed_in.get(f"{url}?ref={number}").status_code == 200
    assert len(page_keys("shell")) == 2  # the shell, and this reader's parts kept for it


def test_sign_in_links_on_a_cached_page_name_its_canonical_address(client, lessons):
    url = lessons[0].get_absolute_url()
    html = client.get(f"{url}?utm_source=mail").content.decode()
    assert "utm_source" not in html
    assert f'href="/accounts/login/?next={url}"' in html


def test_without_redis_the_page_cache_has_a_size_of_its_own(settings):
    pages = settings.CACHES["pages"]
    assert pages["OPTIONS"]["MAX_ENTRIES"] == settings.PAGE_CACHE_MAX_ENTRIES
    assert pages["LOCATION"] != settings.CACHES["default"]["LOCATION"]


@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_filling_the_pages_redis_evicts_no_session_or_rate_limit(
    tmp_path, settings, fresh_outages, learner, lessons, monkeypatch
):
    # As deploy/ and scripts/cluster run them: sessions and rate limits in a Redis that evicts
    # nothing, pages in one with a small memory limit that drops the least recently used.
    main = RedisServer(tmp_path / "main", "--maxmemory-policy", "noeviction")
    pages = RedisServer(
        tmp_path / "pages", "--maxmemory", "2mb", "--maxmemory-policy", "allkeys-lru"
    )
    for server in (main, pages):
        server.folder.mkdir()
        server.start()
    monkeypatch.setattr(fallback, "_last_logged", {})
    try:
        settings.CACHES = {
            "default": redis_caches(main.url)["default"],
            "pages": redis_caches(pages.url)["pages"],
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
        reader = Client()
        reader.force_login(learner)
        for _ in range(3):
            rate_limit_hit(scope="comment", who="user:1", rate="10/3600")
        url = lessons[0].get_absolute_url()
        assert reader.get(url).status_code == 200
        # Ten times the pages' memory in entries, as a crawler of many pages would leave.
        store = caches["pages"]
        for number in range(400):
            store.set(f"pagecache:page:en:flood{number}", b"x" * 50_000, timeout=3600)
        assert store.get("pagecache:page:en:flood0") is None  # evicted, as it should be
        assert store.get("pagecache:page:en:flood399") is not None
        # The session still signs the learner in, the counter still counts.
        assert "Sign out" in reader.get("/progress/").content.decode()
        assert caches["default"].get("ratelimit:comment:user:1") == 3
        assert reader.get(url).status_code == 200
    finally:
        for server in (main, pages):
            server.stop()
