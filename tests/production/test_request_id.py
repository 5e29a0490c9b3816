"""Every request has an id: in its response, and on every log line written while handling it."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from lessons import log


@pytest.fixture
def console() -> Iterator[Callable[[], str]]:
    """What the console log handler writes during the test."""
    # Swapped without setStream(), which would flush the stream the handler was made with
    # (pytest's stderr of that moment, since closed).
    written = io.StringIO()
    handlers = [h for h in logging.getLogger().handlers if type(h) is logging.StreamHandler]
    previous = [handler.stream for handler in handlers]
    for handler in handlers:
        handler.stream = written
    try:
        yield written.getvalue
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.stream = stream


def test_each_response_carries_a_fresh_request_id(client):
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_the_id_nginx_sent_is_kept_behind_trusted_proxies(client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/healthz", HTTP_X_REQUEST_ID="3f2a9c0d8e7b6a5f4e3d2c1b0a998877")
    assert response["X-Request-ID"] == "3f2a9c0d8e7b6a5f4e3d2c1b0a998877"


@pytest.mark.parametrize("sent", ["two words", "line\nbreak", "x" * 129, "<script>", ""], ids=repr)
def test_an_id_that_could_forge_log_lines_is_replaced(client, settings, sent):
    settings.TRUSTED_PROXY_COUNT = 1
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


def test_a_client_talking_to_stream_directly_cannot_choose_its_id(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    response = client.get("/healthz", HTTP_X_REQUEST_ID="chosen-by-the-client")
    assert response["X-Request-ID"] != "chosen-by-the-client"


@pytest.mark.urls("tests.production.urls")
def test_log_lines_written_during_the_request_carry_its_id(client, console):
    response = client.get("/test/logs-a-line")
    request_id = response["X-Request-ID"]
    lines = [line for line in console().splitlines() if "a line from inside" in line]
    assert len(lines) == 1
    assert f"[{request_id}]" in lines[0]
    # Outside a request, the id is "-".
    assert log.request_id.get() == log.NO_REQUEST


@pytest.mark.urls("tests.production.urls")
def test_an_unhandled_error_is_logged_once_with_its_request_id_and_traceback(console):
    response = Client(raise_request_exception=False).get("/test/fails")
    assert response.status_code == 500
    output = console()
    assert output.count("Internal Server Error: /test/fails") == 1
    assert f"[{response['X-Request-ID']}] Internal Server Error" in output
    assert "RuntimeError: a bug, on purpose" in output


@pytest.mark.django_db
def test_a_request_is_not_logged_by_django_as_well(client, console):
    # gunicorn's access log is the request log: Django adds nothing for a 404 (or a 200).
    assert client.get("/no-such-page/").status_code == 404
    assert client.get("/healthz").status_code == 200
    assert console() == ""


@pytest.mark.django_db
def test_lines_django_writes_after_the_middleware_carry_the_id_too(client, redis_away, console):
    # A 5xx response is logged by Django's handler once the middleware has returned it.
    response = client.get("/readyz")
    assert response.status_code == 503
    lines = [line for line in console().splitlines() if "Service Unavailable: /readyz" in line]
    assert len(lines) == 1
    assert f"[{response['X-Request-ID']}]" in lines[0]
