"""Pages for signed-in learners, built once and shared, with each reader's own parts drawn in.

Most of a lesson or course page is the same for every signed-in learner: the lesson, its
discussion, the outline. What differs (their name in the header, the bell, the learner bar,
the progress block, the discussion's reply form and notification switch, which outline items
they have done) is marked in the templates with `{% personal "template.html" name=value %}`.

`member_page` keeps the page for members per URL and language as a *shell*: the shared HTML
cut at those places, each cut remembering its template and its values. A later request by any
member takes the shell and renders only the cuts, for itself, with the request's own context
(user, messages, CSRF token). So a learner opening a lesson someone else has opened since it
last changed costs a few small templates, not the whole page. The shell is current under the
same rule as lessons.pagecache's anonymous pages: the content version and the versions the view
names (a lesson's discussion) must be those it was made from.

The CSRF token is the one thing shared markup may carry per reader (the language switch's
form posts): the shell holds a placeholder that each response replaces with its own token.

Staff are never served shells (they see drafts, and pages as they are now), nor is a request
with messages waiting (the header shows them); a page that shows messages is never kept.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.template import Context, engines
from django.template.loader import get_template
from django.template.response import SimpleTemplateResponse

from lessons import versions
from lessons.pagecache import (
    PAGE_TIMEOUT,
    Made,
    copy_key,
    current_copy,
    messages_waiting,
    now_seconds,
)

# Characters no template outputs (control characters; HTML escaping leaves them alone), so a
# cut can never be confused with a lesson's text.
_CUT = "\x1e"
# How long at most a reader's own parts are kept (see _good_until).
QUARTER = 15 * 60
# Letters only: HTML attribute escaping leaves it as it is.
CSRF_PLACEHOLDER = "csrfPlaceholder5f0c1e7a9b"


@dataclass
class _Building:
    """The cuts of the shell being rendered: (template name, values) in page order."""

    cuts: list[tuple[str, dict[str, Any]]] = field(default_factory=list)


_building: ContextVar[_Building | None] = ContextVar("shell_building", default=None)


def personal_part(context: Context, template_name: str, values: dict[str, Any]) -> str:
    """What `{% personal %}` outputs: a cut while a shell is built, else the part itself."""
    building = _building.get()
    if building is not None:
        building.cuts.append((template_name, values))
        return _CUT
    # An inclusion tag's template gets a new context without the variable, but the attribute
    # of the RequestContext it was made from stays.
    request = getattr(context, "request", None) or context.get("request")
    if request is None:  # a page rendered without a request: nobody's own parts to draw
        return get_template(template_name).render(values)
    return render_part(request, template_name, values)


def _reader_context(request: HttpRequest) -> Context:
    """The context every personal part renders in: what the context processors give (user,
    messages, the bell's count…) and the request, made once per request. Parts drawn into a
    shell are kept for the reader's next pages, so they carry the CSRF placeholder too."""
    made = getattr(request, "_stream_reader_context", None)
    if made is None:
        values: dict[str, Any] = {"request": request}
        for processor in engines["django"].engine.template_context_processors:
            values.update(processor(request))
        if getattr(request, "_stream_filling", False):
            values["csrf_token"] = CSRF_PLACEHOLDER
        made = Context(values)
        made.request = request  # type: ignore[attr-defined]
        request._stream_reader_context = made  # type: ignore[attr-defined]
    return made


def render_part(request: HttpRequest, template_name: str, values: dict[str, Any]) -> str:
    """One personal part, for this request's reader. The same way whether the page is rendered
    whole or filled into a shell, so the two cannot differ."""
    context = _reader_context(request)
    with context.push(values):
        return get_template(template_name).template.render(context)


# --- The view decorator ----------------------------------------------------------------------


def _member(request: HttpRequest) -> bool:
    """A signed-in learner (not staff) with no messages waiting."""
    user = request.user
    return user.is_authenticated and not user.is_staff and not messages_waiting(request)


def changes_at(request: HttpRequest, moment: float) -> None:
    """A personal part says what it shows changes by itself at `moment` (POSIX seconds): the
    reader's parts kept for the next page must not outlive it (e.g. an "Edit" link's window)."""
    request._stream_changes_at = min(  # type: ignore[attr-defined]
        getattr(request, "_stream_changes_at", moment), moment
    )


def _reader_names(request: HttpRequest) -> tuple[str, ...]:
    """What a reader's own parts are drawn from: anything they did (ReaderChangesMiddleware
    bumps "reader:<id>" after each of their writes), their figures (which background tasks and
    admin may change too) and their notifications (which others' replies change)."""
    user_id = request.user.pk
    return (f"reader:{user_id}", f"learner:{user_id}", f"notifications:{user_id}")


def _good_until(request: HttpRequest, now: float) -> float:
    # Midnight where the reader lives falls on a quarter hour in every time zone, and the
    # learner bar's streak counts days: a reader's parts never outlive the quarter they were
    # drawn in. Nor the moment a part said it changes by itself.
    quarter_ends = (now // QUARTER + 1) * QUARTER
    return min(quarter_ends, getattr(request, "_stream_changes_at", quarter_ends))


def _filled(
    request: HttpRequest, key: str, made: Made, parts: list[str], cuts: list[tuple[str, dict]]
) -> str:
    """The shell with this reader's parts drawn in: the ones kept from their last page on this
    shell while nothing they are drawn from has changed, else drawn now (and kept)."""
    names = _reader_names(request)
    reader_key = _reader_key(key, request)
    kept = versions.fetch_many([reader_key]).get(reader_key)
    reader_version = versions.current(*names)
    now = now_seconds()  # Django's clock, as the parts' own moments (an edit window's end)
    if kept is not None and kept[:2] == (made, reader_version) and now < kept[3]:
        drawn = kept[2]
    else:
        request._stream_filling = True  # type: ignore[attr-defined]
        drawn = [render_part(request, template_name, values) for template_name, values in cuts]
        good_until = _good_until(request, now)
        if good_until > now and _no_messages_shown(request):
            kept = (made, reader_version, drawn, good_until)
            cache.set(reader_key, kept, timeout=int(good_until - now) + 1)
    pieces = [parts[0]]
    for part, after in zip(drawn, parts[1:], strict=True):
        pieces.append(part)
        pieces.append(after)
    return "".join(pieces).replace(CSRF_PLACEHOLDER, get_token(request))


def _reader_key(key: str, request: HttpRequest) -> str:
    return f"{key}:reader:{request.user.pk}"


def _no_messages_shown(request: HttpRequest) -> bool:
    stored_messages = getattr(request, "_messages", None)
    if stored_messages is None:
        return True
    # Looking (the progress block does) marks the storage used even when it was empty.
    shown = stored_messages.used and len(stored_messages) > 0
    return not (shown or stored_messages.added_new)


def _keepable(request: HttpRequest, response: HttpResponse) -> bool:
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    return _no_messages_shown(request)


def member_page(
    versions_of: Callable[..., Iterable[str]] | None = None,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Serve the view's GET responses to members from a shared shell (see the module's text).

    `versions_of(request, *args, **kwargs)` names the versions besides the content's that the
    shared part of the page shows (e.g. ["lesson:12"]), as for `lessons.pagecache`. The view
    must return a TemplateResponse; everything in its template that is a reader's own must be
    inside `{% personal %}`.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method != "GET" or not _member(request):
                return view(request, *args, **kwargs)
            key = copy_key("shell", request)
            # This reader's parts kept for the shell, and what they are drawn from, come along.
            also = [_reader_key(key, request)]
            also += [versions.key(name) for name in _reader_names(request)]
            shell = current_copy(key, also=also)
            if shell is not None:
                made, parts, cuts, content_type = shell
                # (Cache-Control: private, no-store comes from PrivatePagesMiddleware.)
                html = _filled(request, key, made, parts, cuts)
                return HttpResponse(html, content_type=content_type)
            made = Made.now(versions_of(request, *args, **kwargs) if versions_of else ())

            response = view(request, *args, **kwargs)
            if not isinstance(response, SimpleTemplateResponse) or response.is_rendered:
                return response
            building = _Building()
            token = _building.set(building)
            try:
                context = response.context_data if response.context_data is not None else {}
                response.context_data = {**context, "csrf_token": CSRF_PLACEHOLDER}
                response.render()
            finally:
                _building.reset(token)
            parts = response.content.decode(response.charset).split(_CUT)
            if _keepable(request, response) and len(parts) == len(building.cuts) + 1:
                value = (made, parts, building.cuts, response["Content-Type"])
                cache.set(key, value, timeout=PAGE_TIMEOUT)
            response.content = _filled(request, key, made, parts, building.cuts)
            return response

        return wrapped

    return decorator
