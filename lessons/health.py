"""Health probes for the process supervisor, the load balancer and the failure tests.

/healthz: the process is up and answering (touches nothing else), so a supervisor restarts only
a process that is really stuck. /readyz: the process can serve pages, i.e. the database and the
cache answer; 503 names the part that does not. Both are served by HealthProbeMiddleware ahead
of sessions, authentication, host and HTTPS checks, so a probe by address, over plain HTTP or
with a stale session cookie gets the same answer as any other.
"""

from __future__ import annotations

import logging
import uuid

from django.core.cache import cache
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# Where the probes live (lessons/urls.py routes them here too, for reverse()).
PROBE_PATHS = {"/healthz", "/readyz"}


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    ready = all(checks.values())
    return JsonResponse(
        {
            "status": "ok" if ready else "unavailable",
            "checks": {part: "ok" if fine else "unavailable" for part, fine in checks.items()},
        },
        status=200 if ready else 503,
    )


def _database_answers() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        # The reason goes to the log, not to whoever asked: it may name hosts and users. One
        # line, no traceback: probes come every few seconds for as long as the outage lasts.
        logger.warning("Readiness: the database does not answer (%s)", _described(error))
        return False
    return True


def _cache_answers() -> bool:
    # A key of its own per probe: nodes probing at once must not read each other's value.
    key, token = f"readyz:{uuid.uuid4().hex}", uuid.uuid4().hex
    try:
        cache.set(key, token, timeout=10)
        answered = cache.get(key) == token
        cache.delete(key)
    except Exception as error:
        # Any backend, any failure: readiness reports it instead of raising.
        logger.warning("Readiness: the cache does not answer (%s)", _described(error))
        return False
    if not answered:
        # ResilientRedisCache has already logged why; a round trip that lost the value says
        # the cache is not there.
        logger.warning("Readiness: the cache did not return what was stored")
    return answered


def _described(error: BaseException) -> str:
    # psycopg's messages run over several lines.
    return f"{type(error).__name__}: {' '.join(str(error).split())}"
