"""Log lines that can be traced back to the request they came from.

Every record carries `request_id`: the id of the request being handled, or "-" outside one. It
is given when Django's handler starts the request (the request_started signal) and dropped when
the response is closed, so Django's own lines after the middleware (a 5xx response, runserver's
request line) carry it too; RequestIdMiddleware puts it on the request and in the response's
X-Request-ID header. gunicorn's access lines read it from that header. LOG_FORMAT=json turns
each line into one JSON object, for log collectors.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any

from pythonjsonlogger.core import RESERVED_ATTRS

REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"
# What nginx's $request_id looks like, and UUIDs: anything else could forge or break log lines.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)

LOG_FORMATS = ("text", "json")


def request_id_for(sent: str | None) -> str:
    """The proxy's id for a request (`sent` in X-Request-ID), or a new one.

    Only behind Stream's own proxies (TRUSTED_PROXY_COUNT above 0), whose nginx sets the header,
    so that its log and ours join up: a client talking to Stream directly cannot choose the id
    its lines are filed under.
    """
    from django.conf import settings

    if settings.TRUSTED_PROXY_COUNT > 0 and sent and SANE_REQUEST_ID.fullmatch(sent):
        return sent
    return uuid.uuid4().hex


def request_began(sender: Any, environ: Mapping[str, Any] | None = None, **kwargs: Any) -> None:
    """request_started receiver (lessons.apps)."""
    request_id.set(request_id_for((environ or {}).get("HTTP_X_REQUEST_ID")))


def request_ended(sender: Any, **kwargs: Any) -> None:
    """request_finished receiver (lessons.apps): lines between requests belong to none."""
    request_id.set(NO_REQUEST)


class RequestIdFilter(logging.Filter):
    """Stamp each record with the id of the request being handled (set on the handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id.get()
        return True


class AccessLogFilter(logging.Filter):
    """gunicorn's access lines: the request id the app answered with, and fields to query by.

    gunicorn logs the line with its "atoms" (what the access log format can name) as the
    record's arguments; response headers are keyed "{name}o" in lower case.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        atoms = record.args if isinstance(record.args, Mapping) else {}
        record.request_id = atoms.get("{x-request-id}o") or NO_REQUEST
        if atoms:
            record.method = atoms.get("m")
            record.path = atoms.get("U")
            record.status = _int_or_none(atoms.get("s"))
            record.duration_ms = atoms.get("M")
        return True


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def console_formatter(log_format: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` formatter for the console, for settings and gunicorn."""
    if log_format == "json":
        return {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["levelname", "name", "message", "request_id"],
            "rename_fields": {"levelname": "level", "name": "logger", "exc_info": "exception"},
            "timestamp": True,
            # Django hands its request lines the request (and runserver's the socket) as extra
            # fields: their text says nothing the message and request_id do not.
            "reserved_attrs": [*RESERVED_ATTRS, "request", "server_time"],
            "json_ensure_ascii": False,
        }
    return {"format": "{asctime} {levelname} {name} [{request_id}] {message}", "style": "{"}
