"""Lesson history: a revision after every save, its diff against the lesson now, and restoring it.

A revision holds the whole lesson as it was after one save (admin, load_content or a restore), so
any of them can be restored; restoring is itself a save, and so a new revision.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.text import normalize_newlines
from django.utils.translation import gettext as _

from courses.models import Course, Lesson, LessonRevision, Tag

# In the order the lesson form shows them.
REVISION_FIELDS = (
    "course", "title", "slug", "status", "publish_at", "order", "minutes", "level", "xp",
    "language", "tags", "summary", "persona", "body_md", "takeaways_md", "exercise_md",
    "answer_md", "links", "reviewed",
)  # fmt: skip
TEXT_FIELDS = {"summary", "body_md", "takeaways_md", "exercise_md", "answer_md"}


def lesson_snapshot(lesson: Lesson, *, tags: list[str] | None = None) -> dict:
    """Every field an instructor can edit, as JSON. Pass `tags` when they are not saved yet."""
    if tags is None:
        tags = [tag.slug for tag in lesson.tags.all()]
    return {
        "course": lesson.course.slug,
        "title": lesson.title,
        "slug": lesson.slug,
        "status": lesson.status,
        "publish_at": lesson.publish_at.isoformat() if lesson.publish_at else None,
        "order": lesson.order,
        "minutes": lesson.minutes,
        "level": lesson.level,
        "xp": lesson.xp,
        "language": lesson.language,
        "tags": sorted(tags),
        "summary": lesson.summary,
        "persona": lesson.persona,
        "body_md": normalize_newlines(lesson.body_md),
        "takeaways_md": normalize_newlines(lesson.takeaways_md),
        "exercise_md": normalize_newlines(lesson.exercise_md),
        "answer_md": normalize_newlines(lesson.answer_md),
        "links": lesson.links,
        "reviewed": lesson.reviewed.isoformat() if lesson.reviewed else None,
    }


def changed_fields(before: dict | None, after: dict) -> list[str]:
    return [name for name in REVISION_FIELDS if before is None or before.get(name) != after[name]]


def revision_for(
    lesson: Lesson,
    *,
    kind: str,
    author=None,
    before: dict | None,
    after: dict | None = None,
    note: str = "",
    at: datetime | None = None,
) -> LessonRevision:
    """An unsaved revision of `lesson` as it is now (`after`), listing what changed since
    `before` (None: a new lesson, everything)."""
    after = after if after is not None else lesson_snapshot(lesson)
    return LessonRevision(
        lesson=lesson,
        kind=kind,
        author=author,
        created_at=at or timezone.now(),
        changed_fields=changed_fields(before, after),
        note=note,
        data=after,
    )


def revision_record(
    *, lesson: Lesson, kind: str, author=None, before: dict | None, note: str = ""
) -> LessonRevision | None:
    """Store a revision of `lesson` as saved; nothing when a save changed nothing."""
    revision = revision_for(lesson, kind=kind, author=author, before=before, note=note)
    if before is not None and not revision.changed_fields:
        return None
    revision.save()
    return revision


@transaction.atomic
def revision_restore(*, revision: LessonRevision, user) -> LessonRevision:
    """Put the lesson back as it was in `revision`; raises ValidationError if that version would
    now clash with another lesson (its slug or order taken since), or break a limit made since."""
    lesson = Lesson.objects.select_for_update().select_related("course").get(pk=revision.lesson_id)
    before = lesson_snapshot(lesson)
    data = revision.lesson_data
    course = Course.objects.filter(slug=data.get("course")).first()
    if course is not None:
        lesson.course = course
    for name in REVISION_FIELDS:
        if name in ("course", "tags", "publish_at", "reviewed") or name not in data:
            continue
        setattr(lesson, name, data[name])
    lesson.publish_at = parse_datetime(data["publish_at"]) if data.get("publish_at") else None
    if "reviewed" in data:  # revisions stored before the field existed leave it alone
        lesson.reviewed = parse_date(data["reviewed"]) if data["reviewed"] else None
    try:
        lesson.clean_fields()
    except ValidationError as error:
        raise ValidationError(
            [f"{name}: {message}" for name, messages in error for message in messages]
        ) from None
    clashes = lesson.clashes()
    if clashes:
        raise ValidationError(list(clashes.values()))
    lesson.edited_at, lesson.edited_by = timezone.now(), user
    lesson.save()
    lesson.tags.set([Tag.objects.get_or_create(slug=slug)[0] for slug in data.get("tags", [])])
    when = timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")
    restored = revision_for(
        lesson,
        kind=LessonRevision.Kind.RESTORED,
        author=user,
        before=before,
        note=_("restored the revision of %(when)s") % {"when": when},
    )
    restored.save()
    return restored


@dataclass
class FieldDiff:
    name: str
    label: str
    then: str
    now: str
    lines: list[tuple[str, str]]  # (css class, line) of a unified diff, for text fields


def revision_diff(revision: LessonRevision, lesson: Lesson) -> list[FieldDiff]:
    """What differs between `revision` and the lesson now, field by field."""
    current = lesson_snapshot(lesson)
    stored = revision.lesson_data
    diffs = []
    for name in REVISION_FIELDS:
        # Revisions stored before a field existed say nothing of it: it was empty then.
        then = stored.get(name, "" if name in TEXT_FIELDS else None)
        now = current[name]
        if then == now:
            continue
        label = str(Lesson._meta.get_field(name).verbose_name)
        then_text, now_text = _as_text(then), _as_text(now)
        lines: list[tuple[str, str]] = []
        if name in TEXT_FIELDS or "\n" in then_text or "\n" in now_text:
            for line in list(
                difflib.unified_diff(
                    then_text.splitlines(),
                    now_text.splitlines(),
                    _("this revision"),
                    _("current"),
                    lineterm="",
                )
            )[2:]:
                kind = {"+": "added", "-": "removed", "@": "hunk"}.get(line[:1], "context")
                lines.append((kind, line))
        diffs.append(FieldDiff(name, label, then_text, now_text, lines))
    return diffs


def _as_text(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "\n".join(
            f"{item['title']} <{item['url']}>" if isinstance(item, dict) else str(item)
            for item in value
        )
    return str(value)
