"""The site's URLs plus views that fail or log on purpose, for the production tests."""

import logging

from django.db import OperationalError
from django.http import HttpRequest, HttpResponse
from django.urls import path

from lessons.urls import handler500
from lessons.urls import urlpatterns as site_urlpatterns

logger = logging.getLogger("tests.production")


def fails(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a bug, on purpose")


def loses_the_database(request: HttpRequest) -> HttpResponse:
    raise OperationalError("connection to server at 127.0.0.1 failed: Connection refused")


def logs_a_line(request: HttpRequest) -> HttpResponse:
    logger.warning("a line from inside the request")
    return HttpResponse("logged")


urlpatterns = [
    path("test/fails", fails),
    path("test/loses-the-database", loses_the_database),
    path("test/logs-a-line", logs_a_line),
    *site_urlpatterns,
]

__all__ = ["handler500", "urlpatterns"]
