"""Every log line appears once in the server's output."""

import io
import logging

import pytest


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
