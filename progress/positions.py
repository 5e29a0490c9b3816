"""Where learners stopped reading: saving, merging a browser's positions, and resume links.

A position is a heading id and the index of the block within that heading's section
(static/js/resume.js computes and finds it), so it points at the text rather than at a scroll
offset. The server keeps one row per learner and lesson; the newest position wins, whether it
comes from this browser, another device or a browser's local history handed over on sign-in.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.db import IntegrityError, transaction
from django.db.models import Exists
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from courses.models import Lesson
from lessons.text import control_character_in
from progress.models import Completion, ReadingPosition
from progress.rules import EARLIEST, LATEST, within_calendar

# More blocks than any lesson section has; beyond this a position is noise, not a place.
MAX_PARAGRAPH = 10_000
MAX_HEADING_LENGTH = ReadingPosition._meta.get_field("heading_id").max_length
# A browser hands over at most this many positions at once (one per lesson it read).
MAX_MERGED = 500
# The fragment for a place before the lesson's first heading: browsers scroll "#top" to the top
# of the page by themselves (HTML's "indicated part"), and resume.js reads it as a place.
TOP_FRAGMENT = "top"


class PositionError(ValueError):
    """A position that cannot be stored; its message is for the browser's console."""


@dataclass(frozen=True)
class Place:
    heading_id: str
    paragraph: int

    @property
    def fragment(self) -> str:
        return self.heading_id or TOP_FRAGMENT


def parse_place(*, heading: object, paragraph: object) -> Place:
    if not isinstance(heading, str) or len(heading) > MAX_HEADING_LENGTH:
        raise PositionError(
            _("The heading must be text of at most %(n)s characters.") % {"n": MAX_HEADING_LENGTH}
        )
    # Heading ids are slugs; a control character is junk, and U+0000 would fail the write.
    if character := control_character_in(heading):
        raise PositionError(
            _("The heading must not contain the control character %(character)s.")
            % {"character": character}
        )
    try:
        number = int(paragraph)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise PositionError(_("The paragraph must be a whole number.")) from None
    if isinstance(paragraph, bool) or not 0 <= number <= MAX_PARAGRAPH:
        raise PositionError(_("The paragraph must be between 0 and %(n)s.") % {"n": MAX_PARAGRAPH})
    return Place(heading.strip(), number)


def position_save(*, user, lesson: Lesson, place: Place, at: datetime | None = None) -> bool:
    """Keep `place` as where the learner is in `lesson`, unless a newer one is stored already.

    Returns whether it was kept. Safe under concurrent saves: the unique constraint decides who
    creates the row, and an update only ever moves a position forward in time.
    """
    at = min(at or timezone.now(), timezone.now())  # a browser's clock may run ahead
    values = {"heading_id": place.heading_id, "paragraph": place.paragraph, "updated_at": at}
    rows = ReadingPosition.objects.filter(user=user, lesson=lesson)
    if rows.filter(updated_at__lte=at).update(**values):
        return True
    if rows.exists():
        return False  # a newer position from another device stays
    try:
        with transaction.atomic():
            ReadingPosition.objects.create(user=user, lesson=lesson, **values)
    except IntegrityError:
        return bool(rows.filter(updated_at__lte=at).update(**values))
    return True


def parse_merged_positions(body: bytes, *, now: datetime) -> list[tuple[int, Place, datetime]]:
    """The positions a browser kept while signed out:
    {"positions": [{"lesson": id, "heading": str, "paragraph": n, "at": ISO time}, ...]}."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        raise PositionError(_("The positions are not valid JSON.")) from None
    items = data.get("positions") if isinstance(data, dict) else None
    if not isinstance(items, list) or len(items) > MAX_MERGED:
        raise PositionError(
            _("Send a list of at most %(n)s positions under “positions”.") % {"n": MAX_MERGED}
        )
    parsed = []
    for item in items:
        if not isinstance(item, dict):
            raise PositionError(_("Each position must be an object."))
        lesson = item.get("lesson")
        if not isinstance(lesson, int) or isinstance(lesson, bool) or not 0 < lesson < 2**31:
            raise PositionError(_("Each position needs a lesson id."))
        place = parse_place(heading=item.get("heading", ""), paragraph=item.get("paragraph"))
        try:
            at = parse_datetime(item.get("at")) if isinstance(item.get("at"), str) else None
        except ValueError:
            at = None
        if at is None or timezone.is_naive(at):
            raise PositionError(_("Each position needs the time it was saved, with its offset."))
        parsed.append((lesson, place, _browser_time(at, now=now)))
    return parsed


def _browser_time(at: datetime, *, now: datetime) -> datetime:
    """A browser's time as one the database can store and compare: never after `now` (its
    clock may run ahead), and inside the calendar every time zone can show. A time at either
    end of it (0001-01-01T00:00+14:00 is before year 1 in UTC) is clamped, not refused: it only
    says the place is very old, and one odd entry should not lose a browser's other places."""
    try:
        at = at.astimezone(UTC)
    except OverflowError:
        at = EARLIEST if at.year == 1 else LATEST
    return min(within_calendar(at), now)


def positions_merge(*, user, positions: list[tuple[int, Place, datetime]]) -> int:
    """Join a browser's positions to the learner's, the newest per lesson winning. Lessons no
    longer published are skipped: their place is of no use to anyone. Returns how many were kept.
    """
    lessons = Lesson.objects.published().in_bulk({lesson_id for lesson_id, _p, _at in positions})
    kept = 0
    for lesson_id, place, at in sorted(positions, key=lambda item: item[2]):
        if lesson_id in lessons:
            kept += position_save(user=user, lesson=lessons[lesson_id], place=place, at=at)
    return kept


def _valid_place(position: ReadingPosition | None, lesson: Lesson) -> Place | None:
    """The stored place if it still points into the lesson (its heading is still there) and is
    past the very top; None means "start at the top", with nothing to offer."""
    if position is None:
        return None
    if position.heading_id and position.heading_id not in {e["id"] for e in lesson.toc}:
        return None
    if not position.heading_id and position.paragraph == 0:
        return None
    return Place(position.heading_id, position.paragraph)


def resume_place(user, lesson: Lesson) -> Place | None:
    """Where to offer a signed-in learner to continue `lesson` (None: nowhere, start at the top,
    also once the lesson is completed). One query."""
    if not user.is_authenticated:
        return None
    position = (
        ReadingPosition.objects.filter(user=user, lesson=lesson)
        .annotate(completed=Exists(Completion.objects.filter(user=user, lesson=lesson)))
        .first()
    )
    if position is None or position.completed:
        return None
    return _valid_place(position, lesson)


def resume_url_for(user, lesson: Lesson) -> str:
    """The lesson's address, at the learner's place in it when there is one to go back to.

    The fragment is the heading's id, so without JavaScript the browser still lands on the
    right section; resume.js then scrolls to the paragraph within it.
    """
    place = resume_place(user, lesson)
    url = lesson.get_absolute_url()
    return f"{url}#{place.fragment}" if place else url
