"""Site-wide response rules that every app relies on."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import resolve
from django.utils.cache import add_never_cache_headers, patch_vary_headers

from lessons import log
from lessons.health import PROBE_PATHS


class PrivatePagesMiddleware:
    """Nothing a signed-in learner is sent may be stored by a browser cache or a proxy.

    Their pages carry their name, progress, notifications and CSRF token; `Cache-Control:
    no-store, private` keeps them out of every cache (the export download too), and `Vary:
    Cookie` tells caches the same URL differs by session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
            patch_vary_headers(response, ["Cookie"])
        return response


class RequestIdMiddleware:
    """Put the request's id (lessons.log) on the request and in the response (X-Request-ID)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = None
        request.request_id = log.request_id.get()
        if request.request_id == log.NO_REQUEST:
            # Not started by Django's WSGI handler in this context (ASGI runs request_started
            # elsewhere): the id lives as long as the middleware does.
            request.request_id = log.request_id_for(request.headers.get(log.REQUEST_ID_HEADER))
            token = log.request_id.set(request.request_id)
        try:
            response = self.get_response(request)
        finally:
            if token is not None:
                log.request_id.reset(token)
        response[log.REQUEST_ID_HEADER] = request.request_id
        return response


class HealthProbeMiddleware:
    """Answer /healthz and /readyz before anything that could fail for reasons of its own.

    Further down, the session cookie sends the session (and the user) to the database, the
    Host header is checked against ALLOWED_HOSTS and plain HTTP is redirected: a load balancer
    probing by address, or a probe with a stale cookie while the database is away, would get
    an answer about those instead of about the process.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info in PROBE_PATHS:
            match = resolve(request.path_info)
            return match.func(request, *match.args, **match.kwargs)
        return self.get_response(request)
