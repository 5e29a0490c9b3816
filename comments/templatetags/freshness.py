"""What readers' bug reports say about a lesson's freshness, for the lesson page (loaded by the
lesson template itself: courses' view knows nothing of reports)."""

from __future__ import annotations

from django import template

from comments.cache_names import outdated_reports
from comments.models import BugReport
from courses.models import Lesson
from lessons.caching import store as cache
from lessons.caching import versions

register = template.Library()

# An old answer is never read again once the lesson's version moves on; this bounds its stay.
ANSWER_TIMEOUT = 24 * 3600


@register.simple_tag
def reported_outdated(lesson: Lesson) -> bool:
    """Whether readers have open "outdated" reports on the lesson.

    Kept per version of the lesson's "outdated" reports ("outdated-reports:<id>", bumped with
    "lesson:<id>" by comments.services when such a report is filed or closed, not by other changes
    to the lesson or its thread), so it costs one query per change of them: signed-in readers,
    whose pages are never cached whole, pay none once it is known."""
    if lesson.pk is None:
        return False
    version = versions.current(outdated_reports(lesson.pk))
    key = f"comments:outdated:{lesson.pk}:{version}"
    answer = cache.get(key)
    if answer is None:
        answer = int(BugReport.objects.open().outdated().filter(lesson_id=lesson.pk).exists())
        cache.set(key, answer, timeout=ANSWER_TIMEOUT)
    return bool(answer)
