"""Pages for signed-in learners, built once and shared, with each reader's own parts drawn in.

Most of a lesson or course page is the same for every signed-in learner: the lesson, its
discussion, the outline. What differs (their name in the header, the bell, the learner bar, the
progress block, the controls on their own comments, which outline items they have done) is
marked in the templates with `{% personal "slot" key=value %}`: a slot (lessons.slots) that an
app fills for the reader, given plain values (ids, numbers, text).

`member_page` keeps the page for members per address and language as a *shell*: the shared
HTML cut at those places, each cut remembering its slot and values. A later request by any
member takes the shell and draws only the cuts, for itself, with the request's own context.
The reader's drawn parts are kept for their next visit of the same shell until anything they
are drawn from changes (`reader_names`), the quarter hour ends, or a part says it changes.

Cuts are found by a marker made afresh for every shell (random, unguessable), so no text a
learner or instructor types can be taken for one; if the pieces and cuts ever disagree, or an
entry cannot be read, the page is rendered whole instead (lessons.caching.fallback). The CSRF
token is a placeholder in anything kept, likewise random per shell, replaced per response.

A `fragment` is a cached piece of shared HTML (a page of a discussion) that may itself hold
personal parts: it is kept cut the same way, and its cuts join the page's when it is used.

Staff are never served shells (they see drafts, and pages as they are now), nor is a request
with messages waiting (the header shows them); a page that shows messages is never kept.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, engines
from django.template.response import SimpleTemplateResponse
from django.utils.safestring import SafeString, mark_safe

from lessons import slots
from lessons.caching import enabled, versions
from lessons.caching import store as cache
from lessons.caching.fallback import fell_back
from lessons.caching.pages import (
    PAGE_TIMEOUT,
    copy_key,
    current_copy,
    declare_query,
    made_now,
    messages_waiting,
    now_seconds,
)

# How long at most a reader's own parts are kept (see _good_until).
QUARTER = 15 * 60


def _marker(kind: str) -> str:
    # Letters and digits only: HTML escaping (text and attributes) leaves it as it is.
    return f"stream{kind}{secrets.token_hex(16)}"


@dataclass
class _Building:
    """A shell or fragment being rendered: its marker and its cuts, in page order."""

    marker: str = field(default_factory=lambda: _marker("cut"))
    cuts: list[dict[str, Any]] = field(default_factory=list)


_building: ContextVar[_Building | None] = ContextVar("shell_building", default=None)


# --- Plain values ------------------------------------------------------------------------------

_PLAIN_SCALARS = (str, int, float, bool, type(None))


def is_plain(value: Any) -> bool:
    """Strings, numbers, booleans, None, and lists, tuples and str-keyed dicts of them: what a
    cache entry may hold (never a model instance, whose class a deploy may rename)."""
    if isinstance(value, _PLAIN_SCALARS):
        return True
    if isinstance(value, list | tuple):
        return all(is_plain(item) for item in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and is_plain(v) for k, v in value.items())
    return False


# --- Personal parts ----------------------------------------------------------------------------


def personal_part(context: Context, slot: str, values: dict[str, Any]) -> str:
    """What `{% personal %}` outputs: a cut while a shell or fragment is built, else the part
    drawn for this request's reader."""
    if not is_plain(values):
        raise TypeError(f"{{% personal {slot!r} %}} takes plain values only, not {values!r}")
    building = _building.get()
    if building is not None:
        building.cuts.append({"slot": slot, "values": values})
        return building.marker
    request = getattr(context, "request", None) or context.get("request")
    return render_part(request, slot, values)


def _reader_context(request: HttpRequest | None) -> Context:
    """The context every personal part renders in: what the context processors give (user,
    messages, the bell's count…) and the request, made once per request."""
    if request is None:  # a page rendered without a request: nobody's own parts to draw
        return Context({})
    made = getattr(request, "_stream_reader_context", None)
    if made is None:
        values: dict[str, Any] = {"request": request}
        for processor in engines["django"].engine.template_context_processors:
            values.update(processor(request))
        made = Context(values)
        made.request = request  # type: ignore[attr-defined]
        request._stream_reader_context = made  # type: ignore[attr-defined]
    return made


def render_part(
    request: HttpRequest | None, slot: str, values: dict[str, Any], *, csrf: str | None = None
) -> str:
    """One personal part, for this request's reader: the same way whether the page is rendered
    whole or filled into a shell, so the two cannot differ. Parts drawn to be kept carry the
    shell's CSRF placeholder (`csrf`) instead of the token."""
    context = _reader_context(request)
    with context.push({"csrf_token": csrf} if csrf else {}):
        return slots.render(slot, context, values)


def changes_at(request: HttpRequest, moment: float) -> None:
    """A personal part says what it shows changes by itself at `moment` (POSIX seconds): the
    reader's parts kept for the next page must not outlive it (e.g. an "Edit" link's window)."""
    request._stream_changes_at = min(  # type: ignore[attr-defined]
        getattr(request, "_stream_changes_at", moment), moment
    )


def depends_on(request: HttpRequest, *names: versions.VersionName) -> None:
    """A personal part shows what others change too (e.g. the weekly rank): the reader's parts
    kept for the next page are drawn again once any of `names` is bumped."""
    request._stream_depends = getattr(request, "_stream_depends", frozenset()) | set(names)  # type: ignore[attr-defined]


# What a reader's own parts are drawn from, by user id: their own doings (lessons.caching.
# middleware), and whatever the apps above add in ready() (their figures, their notifications).
_reader_name_makers: list[Callable[[int], versions.VersionName]] = [versions.reader]


def reader_versions_add(name_of: Callable[[int], versions.VersionName]) -> None:
    """An app's version per reader that their personal parts show (e.g. progress' figures)."""
    if name_of not in _reader_name_makers:
        _reader_name_makers.append(name_of)


def reader_names(user_id: int) -> tuple[versions.VersionName, ...]:
    return tuple(name_of(user_id) for name_of in _reader_name_makers)


# --- Cut HTML: shells and fragments ------------------------------------------------------------


def _render_cut(render: Callable[[], str]) -> tuple[list[str], list[dict[str, Any]]] | None:
    """`render()` with the personal parts left as cuts: (pieces, cuts), or None when the two
    do not match (then nothing may be kept)."""
    building = _Building()
    token = _building.set(building)
    try:
        html = render()
    finally:
        _building.reset(token)
    pieces = html.split(building.marker)
    if len(pieces) != len(building.cuts) + 1:
        return None
    return pieces, building.cuts


def _joined(pieces: list[str], drawn: list[str]) -> str:
    out = [pieces[0]]
    for part, after in zip(drawn, pieces[1:], strict=True):
        out.append(part)
        out.append(after)
    return "".join(out)


def fragment(context: Context, key: str, render: Callable[[], str], timeout: int) -> SafeString:
    """Shared HTML kept under `key` (which must name the versions it shows), rendered by
    `render()` when missing; the personal parts inside it are drawn for this reader (or, while
    a shell is built around it, become cuts of that shell)."""
    if not enabled():
        return mark_safe(render())  # noqa: S308 - our own templates' output
    try:
        entry = cache.get(key)
        if entry is None:
            cut = _render_cut(render)
            if cut is None:
                raise ValueError("a fragment's pieces and cuts do not match")
            entry = {"pieces": cut[0], "cuts": cut[1]}
            cache.set(key, entry, timeout=timeout)
        drawn = [personal_part(context, c["slot"], c["values"]) for c in entry["cuts"]]
        html = _joined(entry["pieces"], drawn)
    except DatabaseError:
        raise  # not the cache's: the page cannot be rendered either (lessons.views)
    except Exception as error:  # noqa: BLE001 - any failure: render it afresh, keep nothing
        fell_back("fragment", error)
        html = render()
    return mark_safe(html)  # noqa: S308 - our own templates' output


# --- The view decorator ------------------------------------------------------------------------


def _member(request: HttpRequest) -> bool:
    """A signed-in learner (not staff) with no messages waiting."""
    user = request.user
    return user.is_authenticated and not user.is_staff and not messages_waiting(request)


def _reader_key(key: str, request: HttpRequest) -> str:
    return f"{key}:reader:{request.user.pk}"


def _good_until(request: HttpRequest, now: float) -> float:
    # Midnight where the reader lives falls on a quarter hour in every time zone, and the
    # learner bar's streak counts days: a reader's parts never outlive the quarter they were
    # drawn in. Nor the moment a part said it changes by itself.
    quarter_ends = (now // QUARTER + 1) * QUARTER
    return min(quarter_ends, getattr(request, "_stream_changes_at", quarter_ends))


def _no_messages_shown(request: HttpRequest) -> bool:
    stored_messages = getattr(request, "_messages", None)
    if stored_messages is None:
        return True
    # Looking (the progress block does) marks the storage used even when it was empty.
    shown = stored_messages.used and len(stored_messages) > 0
    return not (shown or stored_messages.added_new)


def _filled(request: HttpRequest, key: str, shell: dict[str, Any]) -> str:
    """The shell with this reader's parts drawn in: the ones kept from their last page on this
    shell while nothing they are drawn from has changed, else drawn now (and kept)."""
    reader_key = _reader_key(key, request)
    kept = versions.fetch_many([reader_key]).get(reader_key)
    reader_version = versions.current(*reader_names(request.user.pk))
    now = now_seconds()  # Django's clock, as the parts' own moments (an edit window's end)
    whose = {"made": shell["made"], "csrf": shell["csrf"], "reader": reader_version}
    if (
        kept is not None
        and {name: kept.get(name) for name in whose} == whose
        and now < kept["until"]
        and len(kept["drawn"]) == len(shell["cuts"])
        and (not kept["also"] or versions.current(*kept["also"]) == kept["also_version"])
    ):
        drawn = kept["drawn"]
    else:
        drawn = [
            render_part(request, cut["slot"], cut["values"], csrf=shell["csrf"])
            for cut in shell["cuts"]
        ]
        until = _good_until(request, now)
        if until > now and _no_messages_shown(request):
            also = sorted(getattr(request, "_stream_depends", ()))
            also_version = versions.current(*also) if also else ""
            kept = {**whose, "drawn": drawn, "until": until, "also": also}
            kept["also_version"] = also_version
            cache.set(reader_key, kept, timeout=int(until - now) + 1)
    return _joined(shell["pieces"], drawn).replace(shell["csrf"], get_token(request))


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    return _no_messages_shown(request)


def member_page(
    versions_of: Callable[..., Iterable[versions.VersionName]] | None = None,
    *,
    query: Iterable[str] = (),
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's GET responses to members from a shared shell (see the module's text).

    `versions_of(request, *args, **kwargs)` names the versions besides the content's that the
    shared part of the page shows (e.g. a lesson's discussion), and `query` the query
    parameters the view reads, as for `lessons.caching.pages`. The view must return a
    TemplateResponse; everything in its template that is a reader's own must be inside
    `{% personal %}`.
    """
    query = tuple(query)

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            declare_query(request, query)
            if not enabled() or request.method != "GET" or not _member(request):
                return view(request, *args, **kwargs)
            try:
                key = copy_key("shell", request)
                # This reader's parts kept for the shell, and what they are drawn from, come along.
                also = [_reader_key(key, request)]
                also += [versions.key(name) for name in reader_names(request.user.pk)]
                shell = current_copy(key, also=also)
                if shell is not None:
                    html = _filled(request, key, shell)
                    # (Cache-Control: private, no-store comes from PrivatePagesMiddleware.)
                    return HttpResponse(html, content_type=shell["type"])
                made = made_now(versions_of(request, *args, **kwargs) if versions_of else ())
            except DatabaseError:
                raise  # not the cache's: the page cannot be rendered either (lessons.views)
            except Exception as error:  # noqa: BLE001 - any failure: render the page whole
                fell_back("shell", error)
                return view(request, *args, **kwargs)

            response = view(request, *args, **kwargs)
            if not isinstance(response, SimpleTemplateResponse) or response.is_rendered:
                return response
            csrf = _marker("csrf")
            context = response.context_data if response.context_data is not None else {}
            shared = {**context, "csrf_token": csrf}

            def render() -> str:
                response.context_data = shared
                return response.rendered_content

            try:
                cut = _render_cut(render)
                if cut is None:
                    raise ValueError("a shell's pieces and cuts do not match")
                shell = {
                    "made": made,
                    "pieces": cut[0],
                    "cuts": cut[1],
                    "type": response["Content-Type"],
                    "csrf": csrf,
                }
                html = _filled(request, key, shell)
            except DatabaseError:
                raise  # not the cache's: the page cannot be rendered either (lessons.views)
            except Exception as error:  # noqa: BLE001 - any failure: render the page whole
                fell_back("shell", error)
                response.context_data = context
                return response
            if _keepable(request, response):
                cache.set(key, shell, timeout=PAGE_TIMEOUT)
            response.content = html
            return response

        return wrapped

    return decorator
