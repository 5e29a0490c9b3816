"""The caching layer's two middlewares: one read of each version per request, and a member's
writes retire the parts of pages kept for them."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from lessons.caching import versions


class VersionSnapshotMiddleware:
    """Each request reads a cached version once (versions.snapshot): a page served from the
    cache needs the same few versions several times over."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with versions.snapshot():
            return self.get_response(request)


class ReaderChangesMiddleware:
    """Whatever a signed-in learner sends (a completion, a reading position, a comment, a flag,
    a setting) may change their own parts of pages, which lessons.caching.shells keeps for
    their next page: after each such request, `versions.reader(id)` is bumped and those parts
    are drawn afresh. Broad on purpose: one cache write per write request, and no write path
    can forget it."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS", "TRACE"):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                versions.changed(versions.reader(user.pk))
        return response
