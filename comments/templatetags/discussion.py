"""The discussion under a lesson, loaded by the lesson template itself (courses' view is unaware).

One query for the whole thread whatever its size (a signed-in reader's own flags ride along in
it); a signed-in reader adds one for their reply-notification choice.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils import timezone

from comments import rules
from comments.models import Comment
from comments.services import replies_wanted
from courses.models import Lesson

register = template.Library()


@dataclass(frozen=True)
class Row:
    """A thread entry with what the reader may do with it."""

    entry: rules.Entry
    can_reply: bool = False
    can_edit: bool = False
    can_delete: bool = False
    can_flag: bool = False
    my_flag_id: int | None = None

    @property
    def comment(self) -> Comment:
        return self.entry.comment

    @property
    def parent(self) -> Comment | None:
        return self.entry.parent


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def lesson_discussion(context: template.Context, lesson: Lesson) -> dict:
    user = context["request"].user
    signed_in = user.is_authenticated
    comments = Comment.objects.for_lesson(lesson)
    if signed_in:
        comments = comments.with_flag_of(user)
    comments = list(comments)
    entries = rules.thread_entries(comments)
    if not signed_in:
        rows = [Row(entry=entry) for entry in entries]
        notify = False
    else:
        now = timezone.now()
        rows = []
        for entry in entries:
            comment = entry.comment
            mine = comment.author_id == user.pk
            rows.append(
                Row(
                    entry=entry,
                    can_reply=comment.is_shown,
                    can_edit=comment.can_be_edited_by(user, now=now),
                    can_delete=mine and not comment.is_removed,
                    can_flag=comment.is_shown and not mine and comment.my_flag_id is None,
                    my_flag_id=comment.my_flag_id,
                )
            )
        notify = replies_wanted(user=user, lesson=lesson)
    return {
        "lesson": lesson,
        "rows": rows,
        "count": rules.shown_count(comments),
        "signed_in": signed_in,
        "notify": notify,
        "request": context["request"],
        "user": user,
    }
