"""What comments draws into the pages of the floors below (lessons.slots): the bell in the
header, a lesson's discussion, its "may be out of date" note and its "report a problem" link;
and the reader's own parts of the discussion itself (the header's reply-notification switch,
each comment's controls), which its cached pages leave as cuts (lessons.caching.shells).

A comment's controls are drawn from plain values kept with the cached page (the comment's id,
its author's id, the end of its edit window) and asked of comments.rules, as its views ask: a
control shows exactly when the view behind it would accept it.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from comments import cache_names, rules, threads
from lessons import slots
from lessons.caching.shells import changes_at, reader_versions_add


def _words(request: HttpRequest) -> dict[str, str]:
    """The controls' words in the reader's language, made once per request. (gettext here, not
    {% translate %} and {% url %} in the part's template: the part is drawn on every comment of
    a page, and those tags cost ten times the variables that replace them.)"""
    language = get_language()
    words = request.__dict__.get("_comments_control_words")
    if words is None or words["language"] != language:
        words = request._comments_control_words = {  # type: ignore[attr-defined]
            "language": language,
            "edit": gettext("Edit"),
            "edit_name": gettext("Edit your comment"),
            "delete": gettext("Delete"),
            "delete_name": gettext("Delete your comment"),
            "flag": gettext("Flag"),
            "flag_name": gettext("Flag this comment"),
            "flagged": gettext("You flagged this."),
            "withdraw": gettext("Withdraw flag"),
            "moderate": gettext("Moderate"),
            "moderate_name": gettext("Moderate this comment"),
        }
    return words


def _moderator(request: HttpRequest) -> bool:
    """Staff who may moderate comments (in admin): their pages are rendered whole, never from a
    shared shell, so asking for the permission costs members nothing."""
    user = request.user
    if not user.is_staff:
        return False
    found = request.__dict__.get("_comments_moderator")
    if found is None:
        found = request._comments_moderator = user.has_perm("comments.change_comment")  # type: ignore[attr-defined]
    return found


def discussion_reader(
    request: HttpRequest | None, lesson_id: int, **_values: Any
) -> dict[str, Any]:
    """The discussion's header: whether the reader hears about replies here."""
    if request is None or not request.user.is_authenticated:
        return {"signed_in": False, "notify": False}
    return {"signed_in": True, "notify": threads.reader_state(request, lesson_id)["notify"]}


def comment_controls(
    request: HttpRequest | None, comment_id: int, author_id: int | None, editable_until: float
) -> dict[str, Any] | None:
    """A shown comment's controls beyond "Reply" for this reader, as their addresses, or None
    when there are none: Edit (while the window is open) and Delete on their own; "You flagged
    this" and Withdraw, or Flag, on the others' (for a reader who is not signed in, Flag leads to
    signing in first); Moderate for moderators. No query but the reader's flags, read once per
    request (comments.threads.reader_flags)."""
    if request is None:
        return None
    user = request.user
    reader_id = user.pk if user.is_authenticated else None
    controls: dict[str, str | None] = {}
    if reader_id is not None and author_id == reader_id:
        if rules.may_edit(
            reader_id=reader_id,
            author_id=author_id,
            shown=True,
            editable_until=editable_until,
            now=timezone.now().timestamp(),
        ):
            controls["edit"] = reverse("comments:edit", args=[comment_id])
            changes_at(request, editable_until)  # "Edit" goes when the window closes
        if rules.may_delete(reader_id=reader_id, author_id=author_id, removed=False):
            controls["delete"] = reverse("comments:delete", args=[comment_id])
    else:
        flag = threads.reader_flags(request).get(comment_id) if reader_id else None
        if flag == threads.PENDING:
            controls["withdraw"] = reverse("comments:flag-withdraw-confirm", args=[comment_id])
        # A learner flags a comment once: after a review there is nothing more to do with it.
        elif flag is None and rules.may_flag(reader_id=reader_id, author_id=author_id, shown=True):
            controls["flag"] = reverse("comments:flag", args=[comment_id])
        if _moderator(request):
            controls["moderate"] = reverse("admin:comments_comment_change", args=[comment_id])
    if not controls:
        return None
    return {**controls, "words": _words(request)}


def register() -> None:
    """Called from CommentsConfig.ready()."""
    reader_versions_add(cache_names.notifications)
    slots.register("header-bell", "comments/parts/header_bell.html")
    slots.register("lesson-notes", "comments/_outdated_note.html")
    slots.register("lesson-report", "comments/_report_link.html")
    slots.register("lesson-discussion", "comments/_lesson_discussion.html")
    slots.register("discussion-reader", "comments/parts/discussion_reader.html", discussion_reader)
    slots.register("comment-controls", "comments/parts/comment_controls.html", comment_controls)
