"""Every log line appears once in the server's output, with the id of its request."""

import contextvars
import io
import json
import logging
import logging.config
import runpy
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from lessons.log import RequestIdFilter, console_formatter, request_id


def our_console_handlers(logger: logging.Logger) -> list[logging.StreamHandler]:
    # pytest attaches capture handlers of its own while tests run: they are not the server's.
    return [
        handler
        for handler in logger.handlers
        if isinstance(handler, logging.StreamHandler)
        and not type(handler).__module__.startswith("_pytest")
    ]


def console_handlers_reached(name: str) -> int:
    """How many of the server's stream handlers a record logged on `name` is written by."""
    count = 0
    logger: logging.Logger | None = logging.getLogger(name)
    while logger is not None:
        count += len(our_console_handlers(logger))
        if not logger.propagate:
            break
        logger = logger.parent
    return count


@pytest.mark.parametrize(
    "name",
    ["django", "django.request", "django.security.csrf", "django.server", "comments.services"],
)
def test_each_record_is_written_once(name):
    assert console_handlers_reached(name) == 1


def test_a_django_error_is_printed_once(settings):
    settings.DEBUG = True  # Django's own console handler only prints in DEBUG
    handlers = our_console_handlers(logging.getLogger()) + our_console_handlers(
        logging.getLogger("django")
    )
    output = io.StringIO()
    previous = [handler.setStream(output) for handler in handlers]
    try:
        logging.getLogger("django.request").error("Internal Server Error: /probe/")
    finally:
        for handler, stream in zip(handlers, previous, strict=True):
            handler.setStream(stream)
    assert output.getvalue().count("Internal Server Error: /probe/") == 1


# --- Each line with its request id; LOG_FORMAT=json for log collectors -------------------------


def record_with_error(name: str = "comments.services") -> logging.LogRecord:
    try:
        raise ValueError("the cause")
    except ValueError:
        record = logging.getLogger(name).makeRecord(
            name, logging.ERROR, __file__, 1, "Posting failed: %s", ("boom",), sys.exc_info()
        )
    return record


def formatted(log_format: str, record: logging.LogRecord) -> str:
    configurator = logging.config.DictConfigurator({})
    formatter = configurator.configure_formatter(dict(console_formatter(log_format)))
    token = request_id.set("req-7")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id.reset(token)
    return formatter.format(record)


def test_text_lines_name_the_level_the_logger_and_the_request():
    line = formatted("text", record_with_error()).splitlines()[0]
    assert line.endswith("ERROR comments.services [req-7] Posting failed: boom")


def test_json_lines_are_one_object_each_with_the_fields_collectors_read():
    line = formatted("json", record_with_error())
    assert "\n" not in line
    fields = json.loads(line)
    assert fields["level"] == "ERROR"
    assert fields["logger"] == "comments.services"
    assert fields["message"] == "Posting failed: boom"
    assert fields["request_id"] == "req-7"
    assert "ValueError: the cause" in fields["exception"]
    assert fields["timestamp"].startswith(str(datetime.now(UTC).year))


def test_lines_outside_a_request_say_so():
    record = logging.makeLogRecord({"msg": "worker started"})
    # A context of its own: a test that let an exception out of the test client never closed
    # its response, so the request id it was given is still set in this one.
    contextvars.Context().run(RequestIdFilter().filter, record)
    assert record.request_id == "-"


def settings_with_log_format(monkeypatch, value: str) -> dict:
    monkeypatch.setenv("LOG_FORMAT", value)
    return runpy.run_path(str(Path(__file__).resolve().parent.parent / "lessons" / "settings.py"))


def test_log_format_json_switches_the_console_to_json(monkeypatch):
    logging_config = settings_with_log_format(monkeypatch, "json")["LOGGING"]
    assert logging_config["formatters"]["console"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    assert logging_config["handlers"]["console"]["filters"] == ["request_id"]


def test_an_unknown_log_format_is_refused(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="LOG_FORMAT"):
        settings_with_log_format(monkeypatch, "xml")
