"""Whole pages for readers who are not signed in, served from the cache at near-static speed.

Every anonymous reader of a URL gets the same HTML in their language (no CSRF token, no name,
no progress: the browser fills in local progress), so such a page is built once and kept per URL
and language together with the versions of what it was made from (lessons.versions). Whoever
changes the content bumps its version; the next request finds the copy out of date and builds a
fresh one. A hit costs no database query at all and one cache round trip (`current_copy`).

Lessons can also change by themselves: a published lesson with a future publish date appears at
that moment. `content_version()` therefore joins the "content" counter with the next such moment
(which the apps that schedule content report through `content_changes_scheduled`): the version
moves on by itself when the moment passes, so a copy made before it is never served after it.

Nothing is taken from or put into the cache for a signed-in reader (checked only when a session
cookie comes with the request), for a request that carries messages, or for a response that is
not a plain 200, sets a cookie (a CSRF token, a session), shows messages or varies otherwise.

Cached pages tell browsers and proxies they may keep them briefly (`Cache-Control: public,
max-age=ANON_PAGE_MAX_AGE`, 60 s by default, never past the next scheduled change), with an
ETag and Last-Modified so that a reader who has the page gets `304 Not Modified`.
"""

from __future__ import annotations

import bisect
import hashlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.core.cache import cache
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date

from lessons import versions

T = TypeVar("T")

# Sent at most once per content version, to learn the future moments at which content changes by
# itself. Receivers return an iterable of aware datetimes (courses: lessons' publish dates).
content_changes_scheduled = Signal()

# How long a copy stays in the cache. Copies are keyed on versions, so this only bounds how long
# a copy nobody asks for any more takes up room; a page read less than hourly is cheap to rebuild.
PAGE_TIMEOUT = 3600
DEFAULT_MAX_AGE = 60


def now_seconds() -> float:
    # Django's clock, which publish dates are compared with (LessonQuerySet.published).
    return timezone.now().timestamp()


SCHEDULE_KEY = "pagecache:schedule"


def _schedule() -> list[float]:
    """The future moments (POSIX seconds, ascending) at which content changes by itself.

    Kept under one key with the content version it was read at (so that it is fetched in the
    same round trip as that version), and read again when the version has moved on."""
    base = versions.current("content")
    return versions.remembered(f"{SCHEDULE_KEY}:{base}", lambda: _schedule_read(base))


def _schedule_read(base: str) -> list[float]:
    stored = versions.fetch_many([SCHEDULE_KEY]).get(SCHEDULE_KEY)
    if stored is not None and stored[0] == base:
        return stored[1]
    now = now_seconds()
    found: set[float] = set()
    for _receiver, result in content_changes_scheduled.send(sender=None):
        found.update(moment.timestamp() for moment in result or ())
    moments = sorted(moment for moment in found if moment > now)
    cache.set(SCHEDULE_KEY, (base, moments), timeout=versions.VERSION_TIMEOUT)
    versions.remember_stored(SCHEDULE_KEY, (base, moments))
    return moments


def _next_scheduled_change(moments: list[float], now: float) -> float | None:
    index = bisect.bisect_right(moments, now)
    return moments[index] if index < len(moments) else None


def content_version() -> str:
    """The version of everything pages are built from, as URL- and key-safe text.

    The "content" counter and the next scheduled change: a moment passing gives a new version
    as surely as a bump does. (Keyed on the next moment rather than on how many have passed, so
    the version is the same if the list is lost and read again after some have passed.)
    """
    base = versions.current("content")
    upcoming = _next_scheduled_change(_schedule(), now_seconds())
    return f"{base}-{int(upcoming) if upcoming is not None else 0}"


def seconds_to_next_scheduled_change() -> float | None:
    upcoming = _next_scheduled_change(_schedule(), now := now_seconds())
    return None if upcoming is None else upcoming - now


def per_content_version(name: str, build: Callable[[], T]) -> T:
    """`build()`, computed once per content version (and language: `name` says if it matters)."""
    key = f"pagecache:value:{name}:{content_version()}"

    def read() -> T:
        value = cache.get(key)
        if value is None:
            value = build()
            cache.set(key, value, timeout=versions.VERSION_TIMEOUT)
        return value

    return versions.remembered(key, read)


def max_age() -> int:
    """Seconds browsers and proxies may keep an anonymous page: ANON_PAGE_MAX_AGE, and never past
    the next scheduled change."""
    seconds = int(getattr(settings, "ANON_PAGE_MAX_AGE", DEFAULT_MAX_AGE))
    upcoming = seconds_to_next_scheduled_change()
    if upcoming is not None:
        seconds = min(seconds, max(int(upcoming), 0))
    return max(seconds, 0)


# --- The view decorator ----------------------------------------------------------------------


def messages_waiting(request: HttpRequest) -> bool:
    """Whether messages wait for this reader (a page that shows them is nobody else's)."""
    if CookieStorage.cookie_name in request.COOKIES:
        return True
    # Only a session cookie can carry them otherwise: without one the session is not looked up.
    return bool(request.COOKIES.get(settings.SESSION_COOKIE_NAME)) and (
        SessionStorage.session_key in request.session
    )


def _anonymous(request: HttpRequest) -> bool:
    """A reader whose page is everyone's: not signed in, and no messages waiting for them."""
    if messages_waiting(request):
        return False
    # Only a session cookie can sign anyone in, so only then is the session looked up.
    return not (request.COOKIES.get(settings.SESSION_COOKIE_NAME) and request.user.is_authenticated)


def copy_key(kind: str, request: HttpRequest) -> str:
    """Where a copy of the page at this URL, in the active language, is kept: `kind` says whose
    copy ("page": anonymous readers'; "shell": members')."""
    # The language LocaleMiddleware activated (from the cookie, the URL or Accept-Language).
    language = translation.get_language() or settings.LANGUAGE_CODE
    url = hashlib.sha256(request.build_absolute_uri().encode()).hexdigest()
    return f"pagecache:{kind}:{language}:{url}"


@dataclass(frozen=True)
class Made:
    """What a copy was made from: the content version and the versions of the names its view
    declared (names kept with the copy, so a hit needs no lookup to know which to check)."""

    content: str
    names: tuple[str, ...]
    of_names: str

    @classmethod
    def now(cls, names: Iterable[str]) -> Made:
        names = tuple(names)
        return cls(content_version(), names, versions.current(*names) if names else "")

    def still_current(self) -> bool:
        if self.content != content_version():
            return False
        return not self.names or self.of_names == versions.current(*self.names)


# Page key → the names its copy was made with, per process (names of a URL change only with the
# content: a slug moving to another lesson). Bounded: forgotten wholesale when full.
_names_seen: dict[str, tuple[str, ...]] = {}
NAMES_SEEN_MAX = 50_000


def _names_remember(key: str, names: tuple[str, ...]) -> None:
    if _names_seen.get(key) != names:
        if len(_names_seen) >= NAMES_SEEN_MAX:
            _names_seen.clear()
        _names_seen[key] = names


def current_copy(key: str, *, also: Iterable[str] = ()) -> Any:
    """The copy kept under `key` (a tuple whose first item is its `Made`) while it is current,
    else None. One round trip for the copy, the content version, the schedule, the versions of
    the names its last copy was made with (remembered in this process: a wrong guess costs one
    more round trip, no more) and the cache keys `also` (which later reads then find fetched)."""
    names = [versions.key(name) for name in _names_seen.get(key, ())]
    fetched = versions.fetch_many([versions.key("content"), SCHEDULE_KEY, key, *names, *also])
    copy = fetched.get(key)
    if copy is None:
        return None
    _names_remember(key, copy[0].names)
    return copy if copy[0].still_current() else None


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if response.has_header("Vary") or response.has_header("Cache-Control"):
        return False  # the view said something about caching itself: leave it be
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):
        return False  # the page holds a CSRF token, and the response will set its cookie
    stored_messages = getattr(request, "_messages", None)
    if stored_messages is not None and (stored_messages.used or stored_messages.added_new):
        return False
    session = getattr(request, "session", None)
    return not (session is not None and session.modified)


def _headers_set(response: HttpResponse, *, etag: str, built_at: float) -> None:
    response.headers["ETag"] = etag
    response.headers["Last-Modified"] = http_date(built_at)
    patch_cache_control(response, public=True, max_age=max_age())
    # The language comes from Accept-Language or from the django_language cookie; a session
    # cookie may mean a signed-in reader, whose page is private.
    patch_vary_headers(response, ["Accept-Language", "Cookie"])


def _etag(content: bytes) -> str:
    return f'"{hashlib.md5(content, usedforsecurity=False).hexdigest()}"'


def anonymous_page(
    versions_of: Callable[..., Iterable[str]] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's GET and HEAD responses to anonymous readers from the cache.

    A copy is current while `content_version()` and the versions `versions_of(request, *args,
    **kwargs)` names (e.g. ["lesson:12"]) are those it was made with: the page must show nothing
    that changes without a bump of one of them.
    For a class-based view: `@method_decorator(anonymous_page(...), name="dispatch")`.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD") or not _anonymous(request):
                return view(request, *args, **kwargs)
            key = copy_key("page", request)
            cached = current_copy(key)
            if cached is not None:
                _made, content, content_type, etag, built_at = cached
                response = HttpResponse(content, content_type=content_type)
                _headers_set(response, etag=etag, built_at=built_at)
                return get_conditional_response(
                    request, etag=etag, last_modified=int(built_at), response=response
                )
            # Read before the view reads the rows: a change made meanwhile bumps past these.
            made = Made.now(versions_of(request, *args, **kwargs) if versions_of else ())

            def store(response: HttpResponse) -> HttpResponse:
                if not _storable(request, response):
                    return response
                etag, built_at = _etag(response.content), time.time()
                cache.set(
                    key,
                    (made, response.content, response["Content-Type"], etag, built_at),
                    timeout=PAGE_TIMEOUT,
                )
                _headers_set(response, etag=etag, built_at=built_at)
                return get_conditional_response(
                    request, etag=etag, last_modified=int(built_at), response=response
                )

            response = view(request, *args, **kwargs)
            if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
                # Stored once rendered, when the template has shown whether it used a CSRF token
                # or messages (the handler renders it, and takes what the callback returns).
                response.add_post_render_callback(store)
                return response
            return store(response)

        return wrapped

    return decorator
