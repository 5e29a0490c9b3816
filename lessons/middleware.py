"""Site-wide response rules that every app relies on."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_vary_headers


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
