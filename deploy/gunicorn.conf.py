"""gunicorn settings for Stream: `gunicorn -c deploy/gunicorn.conf.py` (from any directory).

Environment: GUNICORN_BIND (127.0.0.1:8000), WEB_CONCURRENCY (workers: 2 × cores + 1),
LOG_LEVEL, LOG_FORMAT (text or json), and everything lessons/settings.py reads.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parent.parent
# The project must be importable here already: the log configuration below names its classes.
sys.path.insert(0, str(PROJECT_DIR))

from lessons.log import LOG_FORMATS, console_formatter  # noqa: E402

wsgi_app = "lessons.wsgi:application"
chdir = str(PROJECT_DIR)
# gunicorn 25+ opens a control socket at one path per user: two nodes on one machine would
# fight over it, and nothing here uses it (older versions ignore the setting).
control_socket_disable = True
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")]


def _cores() -> int:
    # The cores this process may run on (taskset, a cpuset, systemd's AllowedCPUs=).
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


workers = int(os.environ.get("WEB_CONCURRENCY") or 2 * _cores() + 1)

# A request that takes 30 s is stuck: the worker is replaced. Stopping (a deploy, systemctl
# stop) lets requests in progress finish for as long. A client that reuses its connection may
# keep it idle for 5 s.
timeout = 30
graceful_timeout = 30
keepalive = 5

# Workers are replaced after about a thousand requests, at different times (the jitter), so
# that slow growth of a worker's memory never matters and they never restart all at once.
max_requests = 1000
max_requests_jitter = 100

# Load Django once in the master and fork the workers from it: less memory, quick worker
# restarts, and a broken configuration stops the start instead of every worker. Safe because
# loading Stream opens no database or Redis connection (tests/production/test_gunicorn.py checks
# it), and pre_fork below closes any that something might open one day. The price: `kill -HUP`
# does not load new code; restart the service to deploy.
preload_app = True


def pre_fork(server: Any, worker: Any) -> None:
    # A connection opened in the master would be shared by every worker forked from it.
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


# Logs: the access log (stdout) is the request log, one line per request with its request id;
# gunicorn's own messages go to stderr. Django's records go through settings.LOGGING, in the
# same format.
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
accesslog = "-"
errorlog = "-"
access_log_format = '%(h)s %({x-forwarded-for}i)s "%(r)s" %(s)s %(b)s %(M)sms "%(f)s" "%(a)s"'
_log_format = os.environ.get("LOG_FORMAT", "text").strip().lower()
if _log_format not in LOG_FORMATS:
    raise SystemExit(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}, not {_log_format!r}")
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "lessons.log.RequestIdFilter"},
        "access": {"()": "lessons.log.AccessLogFilter"},
    },
    "formatters": {"console": console_formatter(_log_format)},
    "handlers": {
        "access": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["access"],
            "formatter": "console",
        },
        "error": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stderr",
            "filters": ["request_id"],
            "formatter": "console",
        },
    },
    "root": {"level": loglevel.upper(), "handlers": ["error"]},
    "loggers": {
        # propagate off: the root handler would print each line a second time.
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
