"""Redis as the shared cache: pages never fail for it, and caching resumes when it returns.

Rate limits fail open while Redis is away (documented in lessons/cache.py and the README):
every action is allowed, as if each opened a new window.
"""

from __future__ import annotations

import logging

import pytest
from django.core.cache import cache, caches
from django.urls import reverse

from lessons.caching import backend as resilient_cache
from lessons.caching.backend import CONNECTION_OPTIONS, ResilientRedisCache
from lessons.ratelimits import rate_limit_hit


def test_redis_url_makes_redis_the_cache_and_sessions_read_from_it(settings_for):
    configured = settings_for({"REDIS_URL": "redis://127.0.0.1:6379/0"})
    assert configured["CACHES"]["default"] == {
        "BACKEND": "lessons.caching.backend.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
    assert configured["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"


def test_without_redis_url_the_cache_is_the_process_memory(settings_for):
    configured = settings_for({})
    assert configured["CACHES"]["default"]["BACKEND"].endswith("LocMemCache")
    assert "SESSION_ENGINE" not in configured  # Django's default: the database


def test_a_redis_that_does_not_answer_is_given_up_on_within_a_second(redis_away):
    connection_options = caches["default"]._cache._get_connection_pool(write=True).connection_kwargs
    assert connection_options["socket_connect_timeout"] == 0.5
    assert connection_options["socket_timeout"] == 1.0
    assert connection_options["retry"].get_retries() == 1
    assert CONNECTION_OPTIONS["retry"].get_retries() == 1


def test_every_operation_behaves_as_a_miss_while_redis_is_away(redis_away):
    assert cache.get("k") is None
    assert cache.get("k", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.add("k", 1) is True  # as on an empty cache; nothing is stored
    assert cache.set("k", 1) is None
    assert cache.set_many({"a": 1, "b": 2}) == ["a", "b"]
    assert cache.delete("k") is False
    assert cache.delete_many(["a", "b"]) is None
    assert cache.touch("k") is False
    assert cache.get_or_set("k", "computed") == "computed"
    with pytest.raises(ValueError):
        cache.incr("k")
    with pytest.raises(ValueError):
        cache.decr("k")


def test_rate_limits_fail_open_while_redis_is_away(redis_away):
    assert not any(
        rate_limit_hit(scope="test", who="ip:203.0.113.9", rate="1/60") for _ in range(5)
    )


def test_the_outage_is_logged_once_not_per_operation(redis_away, caplog):
    with caplog.at_level(logging.WARNING, logger="lessons.caching.backend"):
        for _ in range(50):
            cache.get("k")
            cache.set("k", 1)
    warnings = [r for r in caplog.records if r.name == "lessons.caching.backend"]
    assert len(warnings) == 1
    assert "unreachable" in warnings[0].getMessage()


@pytest.mark.django_db
def test_pages_answer_while_redis_is_away(redis_away, client, sample_content):
    for url in [
        reverse("courses:catalogue"),
        reverse("courses:course-detail", args=["prompt-craft"]),
        reverse("account_login"),
        "/healthz",
    ]:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_learners_sign_in_and_stay_signed_in_while_redis_is_away(redis_away, client, learner):
    response = client.post(
        reverse("account_login"), {"login": "mina@example.com", "password": "learner-pass-42"}
    )
    assert response.status_code == 302
    page = client.get(reverse("progress:profile"))
    assert page.status_code == 200
    assert "Mina" in page.content.decode()


@pytest.mark.django_db
def test_caching_works_stops_with_redis_and_resumes_when_it_returns(
    redis_server, monkeypatch, client, learner
):
    # No pause between outage and retry, so the test need not wait for it.
    monkeypatch.setattr(ResilientRedisCache, "retry_after", 0.0)
    cache.set("lesson", "cached", timeout=60)
    assert cache.get("lesson") == "cached"
    client.force_login(learner)  # the session is now in Redis as well as in the database
    assert client.get(reverse("progress:profile")).status_code == 200

    redis_server.stop()
    assert cache.get("lesson") is None
    # Written while Redis is away: Redis still holds the old value when it comes back.
    cache.delete("lesson")
    assert client.get(reverse("progress:profile")).status_code == 200  # the database has it
    assert not rate_limit_hit(scope="test", who="user:1", rate="1/60")
    assert not rate_limit_hit(scope="test", who="user:1", rate="1/60")

    redis_server.start()
    # The key whose delete was missed is gone before anything reads it again...
    assert cache.get("lesson") is None
    # ...and the cache works again, rate limits included.
    cache.set("lesson", "fresh", timeout=60)
    assert cache.get("lesson") == "fresh"
    assert not rate_limit_hit(scope="test", who="user:1", rate="1/60")
    assert rate_limit_hit(scope="test", who="user:1", rate="1/60")
    assert client.get(reverse("progress:profile")).status_code == 200


def test_writes_that_were_not_made_are_remembered_until_redis_answers(redis_away, monkeypatch):
    cache.delete("signed-out")
    cache.set("changed", 2)
    outage = resilient_cache._outages[redis_away]
    assert outage.stale_keys == {cache.make_key("signed-out"), cache.make_key("changed")}
    # Past a bound, the whole cache is flushed on return instead.
    monkeypatch.setattr(ResilientRedisCache, "max_stale_keys", 3)
    cache.delete_many(["a", "b"])
    assert outage.flush and not outage.stale_keys
