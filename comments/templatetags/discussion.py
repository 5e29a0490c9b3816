"""The discussion under a lesson, embedded by the lesson template itself (courses' view is
unaware): each tag calls one read of comments.threads and renders it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils.safestring import SafeString

from comments import threads
from courses.models import Lesson

register = template.Library()


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def lesson_discussion(context: template.Context, lesson: Lesson, page: int = 1) -> dict[str, Any]:
    """The lesson's discussion: its header (a reader's own part), the comment form and a page of
    the thread. Nothing for a page past the end (the page view answers 404 before)."""
    found = threads.summary(lesson)
    request = context["request"]
    return {
        "lesson": lesson,
        "page": page if page <= found["pages"] else None,
        "count": found["shown"],
        "signed_in": request.user.is_authenticated,
        "request": request,
    }


@register.simple_tag(takes_context=True)
def discussion_page(context: template.Context, lesson: Lesson, page: int) -> SafeString:
    """One page of the lesson's thread, with each comment's controls for this reader."""
    return threads.page_html(context, lesson, page)


@register.filter
def posix(moment: datetime) -> float:
    """A moment as POSIX seconds: how a reader's own part is given one (plain values only)."""
    return moment.timestamp()


# --- Avatars -----------------------------------------------------------------------------------

# Background colours of the initials avatars (stream.css: .avatar.c0 …), each dark enough for
# white letters at AA contrast.
AVATAR_COLOURS = 8


@register.filter
def initials(name: str) -> str:
    """The first letters of a display name's first two words ("Mina Kim": "MK"; "김민아": "김")."""
    words = str(name).split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.filter
def avatar_colour(author_id: int | None) -> str:
    """An avatar colour of the author's own, the same on every page: a hash of their id
    (Knuth's multiplicative one spreads neighbouring ids over the colours); "x" for a deleted
    account."""
    if author_id is None:
        return "x"
    return str((int(author_id) * 2654435761 % 2**32) >> 29)
