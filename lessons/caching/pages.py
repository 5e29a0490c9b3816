"""Whole pages for readers who are not signed in, served from the cache at near-static speed.

Every anonymous reader of a URL gets the same HTML in their language (no CSRF token, no name,
no progress: the browser fills in local progress), so such a page is built once and kept per
address and language together with the versions of what it was made from (`versions`). Whoever
changes the content bumps its version; the next request finds the copy out of date and builds a
fresh one. A hit costs no database query at all and one cache round trip (`current_copy`).

The address is the path and only the query parameters the view declares it reads (`query=`):
`?utm_source=…` is served the canonical copy and never makes an entry of its own, so the number
of entries is bounded by the site's pages, not by what clients send.

Lessons can also change by themselves: a published lesson with a future publish date appears at
that moment. `content_version()` therefore joins the CONTENT counter with the next such moment
(which the apps that schedule content report through `content_changes_scheduled`).

Nothing is taken from or put into the cache for a signed-in reader (checked only when a session
cookie comes with the request), for a request that carries messages, or for a response that is
not a plain 200, sets a cookie, shows messages or varies otherwise. Entries are plain data.
"""

from __future__ import annotations

import bisect
import hashlib
import pickle
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.contrib.messages.storage.session import SessionStorage
from django.db import DatabaseError
from django.dispatch import Signal
from django.http import HttpRequest, HttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone, translation
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date, urlencode

from lessons.caching import enabled, versions
from lessons.caching import store as cache
from lessons.caching.fallback import fell_back

T = TypeVar("T")

# Sent at most once per content version, to learn the future moments at which content changes by
# itself. Receivers return an iterable of aware datetimes (courses: lessons' publish dates).
content_changes_scheduled = Signal()

# How long a copy stays in the cache. Copies are keyed on versions, so this only bounds how long
# a copy nobody asks for any more takes up room; a page read less than hourly is cheap to rebuild.
PAGE_TIMEOUT = 3600
DEFAULT_MAX_AGE = 60
SCHEDULE_KEY = "pagecache:schedule"


def now_seconds() -> float:
    # Django's clock, which publish dates are compared with (LessonQuerySet.published).
    return timezone.now().timestamp()


def _schedule() -> list[float]:
    """The future moments (POSIX seconds, ascending) at which content changes by itself.

    Kept under one key with the content version it was read at (so that it is fetched in the
    same round trip as that version), and read again when the version has moved on."""
    base = versions.current(versions.CONTENT)
    return versions.remembered(f"{SCHEDULE_KEY}:{base}", lambda: _schedule_read(base))


def _schedule_read(base: str) -> list[float]:
    stored = versions.fetch_many([SCHEDULE_KEY]).get(SCHEDULE_KEY)
    if isinstance(stored, dict) and stored.get("base") == base:
        return list(stored["moments"])
    now = now_seconds()
    found: set[float] = set()
    for _receiver, result in content_changes_scheduled.send(sender=None):
        found.update(moment.timestamp() for moment in result or ())
    moments = sorted(moment for moment in found if moment > now)
    entry = {"base": base, "moments": moments}
    cache.set(SCHEDULE_KEY, entry, timeout=versions.VERSION_TIMEOUT)
    versions.remember_stored(SCHEDULE_KEY, entry)
    return moments


def _next_scheduled_change(moments: list[float], now: float) -> float | None:
    index = bisect.bisect_right(moments, now)
    return moments[index] if index < len(moments) else None


def content_version() -> str:
    """The version of everything pages are built from, as URL- and key-safe text: the CONTENT
    counter and the next scheduled change (a moment passing moves it on as surely as a bump)."""
    base = versions.current(versions.CONTENT)
    upcoming = _next_scheduled_change(_schedule(), now_seconds())
    return f"{base}-{int(upcoming) if upcoming is not None else 0}"


def seconds_to_next_scheduled_change() -> float | None:
    upcoming = _next_scheduled_change(_schedule(), now := now_seconds())
    return None if upcoming is None else upcoming - now


# Values built once per content version, kept in this process (they may be model instances,
# which never go into the shared cache). Pickled, so that each request gets its own copy to use.
_per_version: OrderedDict[str, bytes] = OrderedDict()
_per_version_lock = threading.Lock()
PER_VERSION_MAX = 2048


def per_content_version(name: str, build: Callable[[], T]) -> T:
    """`build()`, computed once per content version in this process (and language: `name` says
    if it matters), and once per request."""
    key = f"{name}:{content_version()}"

    def read() -> T:
        with _per_version_lock:
            kept = _per_version.get(key)
            if kept is not None:
                _per_version.move_to_end(key)
        if kept is not None:
            return pickle.loads(kept)
        value = build()
        with _per_version_lock:
            _per_version[key] = pickle.dumps(value, pickle.HIGHEST_PROTOCOL)
            while len(_per_version) > PER_VERSION_MAX:
                _per_version.popitem(last=False)
        return value

    return versions.remembered(f"per-version:{key}", read)


def max_age() -> int:
    """Seconds browsers and proxies may keep an anonymous page: ANON_PAGE_MAX_AGE, and never past
    the next scheduled change."""
    seconds = int(getattr(settings, "ANON_PAGE_MAX_AGE", DEFAULT_MAX_AGE))
    upcoming = seconds_to_next_scheduled_change()
    if upcoming is not None:
        seconds = min(seconds, max(int(upcoming), 0))
    return max(seconds, 0)


# --- Whose page, and where it is kept ---------------------------------------------------------


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


def canonical_path(request: HttpRequest) -> str:
    """The page's address as cached pages know it: the path, and of the query only the
    parameters its view declared (`query=`), in a fixed order. Other views: the full path."""
    declared = getattr(request, "_stream_page_query", None)
    if declared is None:
        return request.get_full_path()
    kept = [(name, request.GET[name]) for name in declared if name in request.GET]
    return request.path + (f"?{urlencode(kept)}" if kept else "")


def declare_query(request: HttpRequest, query: Iterable[str]) -> None:
    """The page reads only these query parameters (the rest never changes it)."""
    request._stream_page_query = tuple(query)  # type: ignore[attr-defined]


def copy_key(kind: str, request: HttpRequest) -> str:
    """Where a copy of the page at this address, in the active language, is kept: `kind` says
    whose copy ("page": anonymous readers'; "shell": members')."""
    # The language LocaleMiddleware activated (from the cookie, the URL or Accept-Language).
    language = translation.get_language() or settings.LANGUAGE_CODE
    address = f"{request.scheme}://{request.get_host()}{canonical_path(request)}"
    return f"pagecache:{kind}:{language}:{hashlib.sha256(address.encode()).hexdigest()}"


# --- What a copy was made from ---------------------------------------------------------------


def made_now(names: Iterable[versions.VersionName]) -> dict[str, Any]:
    """The content version and the versions of the names the view declared, kept with a copy
    (names too, so that a hit needs no lookup to know which to check)."""
    names = list(names)
    return {
        "content": content_version(),
        "names": names,
        "of_names": versions.current(*names) if names else "",
    }


def still_current(made: dict[str, Any]) -> bool:
    if made["content"] != content_version():
        return False
    names = made["names"]
    return not names or made["of_names"] == versions.current(*names)


# Page key → the names its copy was made with, per process (names of an address change only with
# the content: a slug moving to another lesson). Bounded: forgotten wholesale when full.
_names_seen: dict[str, tuple[str, ...]] = {}
NAMES_SEEN_MAX = 50_000


def current_copy(key: str, *, also: Iterable[str] = ()) -> dict[str, Any] | None:
    """The copy (a dict with its "made") kept under `key` while it is current, else None. One
    round trip for the copy, the content version, the schedule, the versions of the names its
    last copy was made with (remembered in this process: a wrong guess costs one more round
    trip, no more) and the cache keys `also` (which later reads then find fetched)."""
    names = [versions.key(name) for name in _names_seen.get(key, ())]
    wanted = [versions.key(versions.CONTENT), SCHEDULE_KEY, key, *names, *also]
    copy = versions.fetch_many(wanted).get(key)
    if copy is None:
        return None
    seen = tuple(copy["made"]["names"])
    if _names_seen.get(key) != seen:
        if len(_names_seen) >= NAMES_SEEN_MAX:
            _names_seen.clear()
        _names_seen[key] = seen
    return copy if still_current(copy["made"]) else None


def storable(request: HttpRequest, response: HttpResponse) -> bool:
    """A response that may be kept for others: a plain 200 that set no cookie, said nothing
    about caching itself and showed no messages."""
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


def _served(request: HttpRequest, copy: dict[str, Any]) -> HttpResponse:
    response = HttpResponse(copy["body"], content_type=copy["type"])
    _headers_set(response, etag=copy["etag"], built_at=copy["at"])
    return get_conditional_response(
        request, etag=copy["etag"], last_modified=int(copy["at"]), response=response
    )


def anonymous_page(
    versions_of: Callable[..., Iterable[versions.VersionName]] | None = None,
    *,
    query: Iterable[str] = (),
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's GET and HEAD responses to anonymous readers from the cache.

    A copy is current while `content_version()` and the versions `versions_of(request, *args,
    **kwargs)` names are those it was made with: the page must show nothing that changes without
    a bump of one of them. `query` names the query parameters the view reads; no others may
    change the page. For a class-based view: `@method_decorator(anonymous_page(...), ...)`.
    """
    query = tuple(query)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            declare_query(request, query)
            if not enabled() or request.method not in ("GET", "HEAD") or not _anonymous(request):
                return view(request, *args, **kwargs)
            try:
                key = copy_key("page", request)
                cached = current_copy(key)
                if cached is not None:
                    return _served(request, cached)
                # Read before the view reads the rows: a change made meanwhile bumps past these.
                made = made_now(versions_of(request, *args, **kwargs) if versions_of else ())
            except DatabaseError:
                raise  # not the cache's: the page cannot be rendered either (lessons.views)
            except Exception as error:  # noqa: BLE001 - any failure: render the page normally
                fell_back("page", error)
                return view(request, *args, **kwargs)

            def store(response: HttpResponse) -> HttpResponse:
                if not storable(request, response):
                    return response
                etag, built_at = _etag(response.content), time.time()
                copy = {"made": made, "body": response.content, "type": response["Content-Type"]}
                try:
                    cache.set(key, {**copy, "etag": etag, "at": built_at}, timeout=PAGE_TIMEOUT)
                except Exception as error:  # noqa: BLE001 - not kept; the page itself is fine
                    fell_back("page", error)
                    return response
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
