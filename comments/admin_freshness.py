"""Lessons by staleness, for instructors: the oldest review first, with what readers report.

Columns, each sortable:

- **reviewed**: the lesson's `reviewed` date, or the day its content last changed when nobody
  set one (courses.models.LessonQuerySet.with_review_date).
- **open “outdated” reports**: open reports (new or confirmed) of the category "Outdated".
- **problems per 100 readers**: every bug report readers filed on the lesson, whatever became of
  it (duplicates left out: they count one problem twice), per 100 readers. *Readers* are the
  learners who completed the lesson while signed in; progress counts them, and comments asks
  through `courses.signals.lesson_readers` (comments may not import progress). Readers who
  never sign in keep their progress in their browser, so they are not counted: the figure is a
  ceiling. With no readers yet, a lesson with reports shows "—" and sorts last.

"Mark reviewed" sets the selected lessons' review date to today (courses.services), which closes
their open "outdated" reports as fixed and tells the reporters (comments.services).
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Cast, NullIf
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments.admin_reports import LessonReportListAdmin
from comments.models import BugReport, LessonFreshness, ReportCategory, ReportStatus
from courses.models import Lesson, Status
from courses.services import lessons_mark_reviewed
from courses.signals import lesson_readers


def _readers_expression():
    """How many readers each lesson has, from whichever app counts them (None: no app does)."""
    for _receiver, expression in lesson_readers.send(sender=LessonFreshness):
        if expression is not None:
            return expression
    return None


@admin.register(LessonFreshness)
class LessonFreshnessAdmin(LessonReportListAdmin):
    list_display = [
        "lesson_title", "reviewed_on", "open_outdated_reports", "problem_rate", "reader_count",
        "course",
    ]  # fmt: skip
    list_display_links = None
    list_filter = ["course", "status"]
    list_select_related = ["course"]
    search_fields = ["title"]
    actions = ["mark_reviewed"]

    def get_queryset(self, request: HttpRequest):
        readers = _readers_expression()
        problems = BugReport.objects.exclude(status=ReportStatus.DUPLICATE).count_per_lesson()
        lessons = (
            super()
            .get_queryset(request)
            .exclude(status=Status.ARCHIVED)
            .with_review_date()
            .annotate(
                open_outdated=BugReport.objects.open().outdated().count_per_lesson(),
                problem_count=problems,
                readers=readers if readers is not None else Value(None),
            )
        )
        return lessons.annotate(
            problems_per_100=Case(
                When(problem_count=0, then=Value(0.0)),
                default=Cast("problem_count", FloatField())
                * 100.0
                / NullIf(Cast("readers", FloatField()), 0.0),
                output_field=FloatField(),
            )
        )

    def get_ordering(self, request: HttpRequest) -> list:
        # A method, not `ordering`: the system check only knows model fields, not annotations.
        return [
            F("review_date").asc(),
            F("open_outdated").desc(),
            F("problems_per_100").desc(nulls_last=True),
            "course__order",
            "order",
        ]

    def has_review_permission(self, request: HttpRequest) -> bool:
        # Marking reviewed edits lessons and closes reports: both are needed.
        return request.user.has_perm("courses.change_lesson") and request.user.has_perm(
            "comments.change_bugreport"
        )

    @admin.display(description=_("lesson"), ordering="title")
    def lesson_title(self, lesson: LessonFreshness) -> str:
        url = reverse("admin:courses_lesson_change", args=[lesson.pk])
        return format_html('<a href="{}">{}</a>', url, lesson.title)

    @admin.display(description=_("reviewed"), ordering="review_date")
    def reviewed_on(self, lesson: LessonFreshness) -> str:
        day = lesson.review_date.isoformat() if lesson.review_date else "—"
        if lesson.reviewed is None and lesson.review_date:
            return format_html(
                '{} <span class="freshness-from-edit">({})</span>', day, gettext("last edit")
            )
        return day

    @admin.display(description=_("open “outdated” reports"), ordering="open_outdated")
    def open_outdated_reports(self, lesson: LessonFreshness) -> str:
        if not lesson.open_outdated:
            return "0"
        url = reverse("admin:comments_bugreport_changelist")
        return format_html(
            '<a href="{}?lesson__id__exact={}&open=yes&category__exact={}">{}</a>',
            url,
            lesson.pk,
            ReportCategory.OUTDATED.value,
            lesson.open_outdated,
        )

    @admin.display(
        description=_("problems per 100 readers"),
        ordering=F("problems_per_100").asc(nulls_last=True),
    )
    def problem_rate(self, lesson: LessonFreshness) -> str:
        if lesson.problems_per_100 is None:
            return "—"
        return f"{lesson.problems_per_100:.1f}"

    @admin.display(description=_("readers"), ordering="readers")
    def reader_count(self, lesson: LessonFreshness) -> str:
        return "—" if lesson.readers is None else str(lesson.readers)

    @admin.action(
        description=_("Mark reviewed today (closes their open “outdated” reports)"),
        permissions=["review"],
    )
    def mark_reviewed(self, request: HttpRequest, queryset) -> None:
        lessons = Lesson.objects.filter(pk__in=list(queryset.values_list("pk", flat=True)))
        closing = BugReport.objects.open().outdated().filter(lesson__in=lessons).count()
        count = lessons_mark_reviewed(lessons=lessons, user=request.user)
        closed = closing - BugReport.objects.open().outdated().filter(lesson__in=lessons).count()
        self.message_user(
            request,
            ngettext(
                "%(count)d lesson marked reviewed today.",
                "%(count)d lessons marked reviewed today.",
                count,
            )
            % {"count": count}
            + " "
            + ngettext(
                "%(closed)d “outdated” report closed as fixed; its reporter was told.",
                "%(closed)d “outdated” reports closed as fixed; their reporters were told.",
                closed,
            )
            % {"closed": closed},
            messages.SUCCESS,
        )
