"""Bench-only URLconf (bench/settings.py): every production URL plus /bench/floor/, a bare view
that measures what Django, the middleware and gunicorn cost before any of Stream's own work."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def floor(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("lessons.urls")),
]
