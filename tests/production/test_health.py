"""/healthz (the process answers) and /readyz (the database and the cache answer)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from lessons.health import PROBE_PATHS


def test_the_probes_are_where_the_middleware_serves_them():
    assert {reverse("healthz"), reverse("readyz")} == PROBE_PATHS


def test_healthz_answers_without_the_database_or_the_cache(client, redis_away, caplog):
    # No django_db mark: touching the database here would raise. A Redis that is not there
    # would be logged on first use.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert "no-store" in response["Cache-Control"]
    assert not [record for record in caplog.records if record.name == "lessons.caching.backend"]


@pytest.mark.django_db
def test_readyz_answers_200_when_the_database_and_the_cache_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


@pytest.mark.django_db
def test_readyz_names_the_cache_when_redis_is_away(client, redis_away):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "unavailable"}


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_readyz_names_the_database_when_it_is_away(client, database):
    database.leave()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "unavailable", "cache": "ok"}
    assert client.get("/healthz").status_code == 200
    database.come_back()
    assert client.get("/readyz").status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_session_cookie_does_not_make_the_probes_touch_the_database(client, learner, database):
    client.force_login(learner)  # the cookie names a session only the database holds
    database.leave()
    assert client.get("/healthz").status_code == 200
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == "unavailable"


@pytest.mark.django_db
def test_probes_answer_any_host_and_plain_http(settings):
    # A load balancer probes a node by its address, over plain HTTP.
    settings.ALLOWED_HOSTS = ["stream.example.com"]
    settings.SECURE_SSL_REDIRECT = True
    client = Client(HTTP_HOST="10.0.0.7:8001")
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    # Every other page still holds to both.
    assert client.get(reverse("courses:catalogue")).status_code == 400
    site = Client(HTTP_HOST="stream.example.com")
    assert site.get(reverse("courses:catalogue")).status_code == 301
