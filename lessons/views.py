"""Site-wide error pages."""

from __future__ import annotations

import logging
import sys

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults

logger = logging.getLogger(__name__)

# How long a browser or crawler is asked to wait: about what a database restart takes.
RETRY_AFTER_SECONDS = 30
# What Django raises when it cannot reach the database, or loses the connection mid-request.
DATABASE_UNREACHABLE = (OperationalError, InterfaceError)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    """handler500: "back in a moment" (503) when the database is away, else the usual 500.

    Django calls it while it handles the exception, so sys.exc_info() is that exception.
    """
    if not _database_unreachable(sys.exc_info()[1]):
        return defaults.server_error(request, template_name)
    # On the way out, middleware asks whether the reader is signed in; a lazy user that failed
    # to load would try the database again, and wait for it again.
    request.user = AnonymousUser()
    try:
        # No request context: context processors would ask the database for the learner.
        response = HttpResponse(
            loader.render_to_string("503.html", {"site_name": settings.SITE_NAME}), status=503
        )
    except Exception:
        # This page is what shows while things are failing: it must not fail in turn.
        logger.exception("The 503 page could not be rendered")
        response = HttpResponse(
            "Service temporarily unavailable. Please try again in a minute.\n",
            content_type="text/plain; charset=utf-8",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def _database_unreachable(error: BaseException | None) -> bool:
    """Whether the database being away is what went wrong, here or in what led to it."""
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, DATABASE_UNREACHABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False
