"""PostgreSQL: connections kept and health-checked, a short connect timeout, and a friendly 503
while the database is away, from which the same processes recover by themselves."""

from __future__ import annotations

import pytest
from django.db import OperationalError, close_old_connections, connection, connections
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from lessons.views import RETRY_AFTER_SECONDS, server_error

POSTGRES = "postgres://stream@db.example.com:5432/stream"


def test_postgresql_connections_are_kept_health_checked_and_quick_to_give_up(settings_for):
    database = settings_for({"DATABASE_URL": POSTGRES})["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 60
    assert database["CONN_HEALTH_CHECKS"] is True
    assert database["OPTIONS"]["connect_timeout"] == 2
    assert database["OPTIONS"]["tcp_user_timeout"] == 5000  # milliseconds


def test_the_environment_overrides_how_long_connections_are_kept_and_awaited(settings_for):
    database = settings_for(
        {"DATABASE_URL": POSTGRES, "DB_CONN_MAX_AGE": "0", "DB_CONNECT_TIMEOUT": "5"}
    )["DATABASES"]["default"]
    assert database["CONN_MAX_AGE"] == 0
    assert database["OPTIONS"]["connect_timeout"] == 5


def test_sqlite_keeps_no_connection_and_has_no_connect_timeout(settings_for):
    database = settings_for({})["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["CONN_MAX_AGE"] == 0
    assert "connect_timeout" not in database.get("OPTIONS", {})


@pytest.mark.postgres
def test_the_test_database_connects_with_the_short_timeout():
    assert connection.get_connection_params()["connect_timeout"] == 2


def _error_page(error: BaseException):
    request = RequestFactory().get("/")
    try:
        raise error
    except BaseException:
        return server_error(request)


def test_a_lost_database_gets_the_friendly_503_page():
    response = _error_page(OperationalError("connection refused"))
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "no-store" in response["Cache-Control"]
    page = response.content.decode()
    assert "Back in a moment" in page
    assert "Traceback" not in page and "connection refused" not in page
    assert "/static/css/stream.css" in page  # the site's look


def test_the_503_page_speaks_the_readers_language():
    with translation.override("ko"):
        response = _error_page(OperationalError("connection refused"))
    assert '<html lang="ko">' in response.content.decode()


def test_an_error_caused_by_a_lost_database_gets_the_503_page_too():
    try:
        raise OperationalError("server closed the connection unexpectedly")
    except OperationalError as lost:
        error = ValueError("while rendering")
        error.__cause__ = lost
    assert _error_page(error).status_code == 503


def test_other_errors_keep_the_500_page():
    response = _error_page(RuntimeError("a bug"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.urls("tests.production.urls")
def test_the_503_page_is_what_a_reader_gets_when_the_database_fails_mid_request():
    client = Client(raise_request_exception=False)
    response = client.get("/test/loses-the-database")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    # CSP and the request id still apply to it.
    assert "Content-Security-Policy" in response and "X-Request-ID" in response


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pages_answer_503_while_postgresql_is_away_and_200_once_it_is_back(
    database, learner, sample_content
):
    reader = Client(raise_request_exception=False)
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(learner)
    pages = [reverse("courses:catalogue"), reverse("courses:course-detail", args=["prompt-craft"])]

    database.leave()
    for client in (reader, signed_in):
        for url in pages:
            response = client.get(url)
            assert response.status_code == 503, url
            assert "Back in a moment" in response.content.decode()
    assert signed_in.get(reverse("progress:profile")).status_code == 503

    database.come_back()  # as PostgreSQL restarted: the same process, nothing reset by hand
    for client in (reader, signed_in):
        for url in pages:
            assert client.get(url).status_code == 200, url
    assert signed_in.get(reverse("progress:profile")).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_kept_connection_the_server_dropped_is_replaced_before_a_request_uses_it(
    client, sample_content
):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (backend,) = cursor.fetchone()
    # What a PostgreSQL restart does to every kept connection: the server ends it.
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    finally:
        other.close()
    # What Django's handler does as each request starts (the test client leaves it out).
    close_old_connections()
    assert client.get(reverse("courses:catalogue")).status_code == 200


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_page_tries_the_absent_database_once_so_it_waits_one_connect_timeout_at_most(
    database, learner, monkeypatch
):
    # A database host that does not answer at all costs connect_timeout (2 s) per attempt: the
    # 503 must come after one attempt, also for a signed-in reader, whose user the middleware
    # looks up both on the way in and on the way out.
    signed_in = Client(raise_request_exception=False)
    signed_in.force_login(learner)
    database.leave()
    wrapper = type(connections["default"])
    attempts = []

    def counted(self, params):
        attempts.append(params)
        return get_new_connection(self, params)

    get_new_connection = wrapper.get_new_connection
    monkeypatch.setattr(wrapper, "get_new_connection", counted)
    for client in (Client(raise_request_exception=False), signed_in):
        attempts.clear()
        assert client.get(reverse("courses:catalogue")).status_code == 503
        assert len(attempts) == 1
        assert attempts[0]["connect_timeout"] == 2
