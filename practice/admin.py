"""Practice in Django admin: how each lesson's knowledge checks do (practice.stats), and the
attempts and submitted exercise answers behind them, read-only."""

from __future__ import annotations

import csv

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from courses.models import HEAVY_LESSON_FIELDS, SEARCH_FIELDS, Check, Course, Lesson
from practice import stats
from practice.models import CheckAttempt, ExerciseAnswer, ExerciseAnswerVersion

STATISTICS_PERMISSION = "practice.view_checkattempt"


class ReadOnlyAdmin(admin.ModelAdmin):
    """What learners did is theirs: admin shows it and changes nothing."""

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


# --- Attempts, and the check statistics built from them ----------------------------------------


@admin.register(CheckAttempt)
class CheckAttemptAdmin(ReadOnlyAdmin):
    # Learners are not named: the attempts are read for how checks do, not for who answered.
    list_display = [
        "knowledge_check_label",
        "chosen_options",
        "correct",
        "first",
        "source",
        "created_at",
    ]
    list_filter = [
        ("knowledge_check__lesson", admin.RelatedOnlyFieldListFilter),
        "first",
        "correct",
        "source",
    ]
    fields = [
        "knowledge_check_label",
        "learner",
        "chosen_options",
        "correct",
        "first",
        "fingerprint",
        "source",
        "created_at",
    ]
    readonly_fields = fields
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest):
        unread = [
            f"knowledge_check__lesson__{name}" for name in HEAVY_LESSON_FIELDS + SEARCH_FIELDS
        ]
        return (
            super().get_queryset(request).select_related("knowledge_check__lesson").defer(*unread)
        )

    @admin.display(description=_("knowledge check"), ordering="knowledge_check")
    def knowledge_check_label(self, attempt: CheckAttempt) -> str:
        check = attempt.knowledge_check
        return gettext("%(lesson)s, check %(number)d") % {
            "lesson": check.lesson.title,
            "number": check.number,
        }

    @admin.display(description=_("options chosen"))
    def chosen_options(self, attempt: CheckAttempt) -> str:
        return ", ".join(str(index + 1) for index in attempt.chosen)

    @admin.display(description=_("learner (id)"))
    def learner(self, attempt: CheckAttempt) -> int:
        return attempt.user_id

    # The statistics: pages of their own under the attempts' admin URLs.

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path(
                "lessons/<int:lesson_id>/statistics/",
                view(self.lesson_statistics_view),
                name="practice_checkattempt_lesson_statistics",
            ),
            path(
                "lessons/<int:lesson_id>/statistics.csv",
                view(self.lesson_statistics_view),
                {"as_csv": True},
                name="practice_checkattempt_lesson_statistics_csv",
            ),
            path(
                "courses/<int:course_id>/statistics/",
                view(self.course_statistics_view),
                name="practice_checkattempt_course_statistics",
            ),
            path(
                "courses/<int:course_id>/statistics.csv",
                view(self.course_statistics_view),
                {"as_csv": True},
                name="practice_checkattempt_course_statistics_csv",
            ),
        ] + super().get_urls()

    def lesson_statistics_view(self, request: HttpRequest, lesson_id: int, as_csv=False):
        """A lesson's checks: how many learners answered, how many were right on the first
        try, and how often each wrong option was chosen."""
        self._statistics_allowed(request)
        lesson = get_object_or_404(
            Lesson.objects.select_related("course").only(
                "id", "title", "slug", "course__id", "course__title", "course__slug"
            ),
            pk=lesson_id,
        )
        checks = tuple(stats.lesson_figures(lesson))
        lessons = [stats.LessonFigures(lesson_id=lesson.pk, title=lesson.title, checks=checks)]
        if as_csv:
            return statistics_csv(
                lessons, course=lesson.course, filename=f"{lesson.course.slug}-{lesson.slug}"
            )
        return self._statistics_page(
            request,
            lessons,
            course=lesson.course,
            lesson=lesson,
            title=gettext("Check statistics: %(title)s") % {"title": lesson.title},
            csv_url=reverse("admin:practice_checkattempt_lesson_statistics_csv", args=[lesson.pk]),
        )

    def course_statistics_view(self, request: HttpRequest, course_id: int, as_csv=False):
        """Every check of a course's lessons, lesson by lesson."""
        self._statistics_allowed(request)
        course = get_object_or_404(Course.objects.only("id", "title", "slug"), pk=course_id)
        lessons = stats.course_figures(course)
        if as_csv:
            return statistics_csv(lessons, course=course, filename=course.slug)
        return self._statistics_page(
            request,
            lessons,
            course=course,
            lesson=None,
            title=gettext("Check statistics: %(title)s") % {"title": course.title},
            csv_url=reverse("admin:practice_checkattempt_course_statistics_csv", args=[course.pk]),
        )

    def _statistics_allowed(self, request: HttpRequest) -> None:
        # Instructors have the permission through their group; superusers have every one.
        if not request.user.has_perm(STATISTICS_PERMISSION):
            raise PermissionDenied

    def _statistics_page(self, request: HttpRequest, lessons, **context) -> TemplateResponse:
        context = {
            **self.admin_site.each_context(request),
            **context,
            "opts": self.opts,
            "lessons": lessons,
            "withheld": withheld_label(),
            "min_learners": stats.MIN_LEARNERS,
            "misleading_percent": stats.MISLEADING_PERCENT,
        }
        return TemplateResponse(request, "admin/practice/check_statistics.html", context)


def withheld_label() -> str:
    """What a withheld figure says, on the page and in the CSV alike."""
    return gettext("fewer than %(count)s") % {"count": stats.MIN_LEARNERS}


def statistics_rows(lessons: list[stats.LessonFigures], *, course: Course) -> list[list]:
    """The statistics as a table: a header, then a row per wrong option of each check (one row
    with empty option cells for a check without wrong options)."""
    withheld = withheld_label()

    def shown(value: int | None):
        return withheld if value is None else value

    rows: list[list] = [
        [
            gettext("course"),
            gettext("lesson"),
            gettext("check"),
            gettext("question"),
            gettext("learners who answered"),
            gettext("right on the first try"),
            gettext("right on the first try (%)"),
            gettext("wrong option"),
            gettext("wrong option's text"),
            gettext("learners who chose it"),
            gettext("learners who chose it (%)"),
            gettext("may mislead"),
        ]
    ]
    for lesson in lessons:
        for check in lesson.checks:
            figures = [
                _cell(course.title),
                _cell(lesson.title),
                check.number,
                _cell(check.question),
                shown(check.learners),
                shown(check.right_learners),
                shown(check.right_percent),
            ]
            for option in check.wrong_options or [None]:
                if option is None:
                    rows.append([*figures, "", "", "", "", ""])
                    continue
                rows.append(
                    [
                        *figures,
                        option.number,
                        _cell(option.text),
                        shown(option.learners),
                        shown(option.percent),
                        gettext("yes") if option.misleading else "",
                    ]
                )
    return rows


def statistics_csv(lessons: list[stats.LessonFigures], *, course: Course, filename: str):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="check-statistics-{filename}.csv"'
    # A byte order mark, so that spreadsheet programs read the Korean as UTF-8.
    response.write("\ufeff")
    csv.writer(response).writerows(statistics_rows(lessons, course=course))
    return response


def _cell(text: str) -> str:
    # A text starting like a formula would run as one in a spreadsheet: it is kept as text.
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# --- Exercise answers, as submitted --------------------------------------------------------------


class VersionInline(admin.TabularInline):
    model = ExerciseAnswerVersion
    fields = ["submitted_at", "text"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


@admin.register(ExerciseAnswer)
class ExerciseAnswerAdmin(ReadOnlyAdmin):
    """Submitted answers only, each as the versions the learner submitted: a draft, and
    whatever they type after submitting, stays private to them."""

    list_display = ["lesson", "submitted_at", "done_at"]
    list_filter = [("lesson", admin.RelatedOnlyFieldListFilter), "lesson__course"]
    list_select_related = ["lesson"]
    fields = ["lesson", "submitted_at", "done_at"]
    readonly_fields = fields
    inlines = [VersionInline]

    def get_queryset(self, request: HttpRequest):
        unread = [f"lesson__{name}" for name in HEAVY_LESSON_FIELDS + SEARCH_FIELDS]
        return super().get_queryset(request).submitted().defer("text", *unread)


# --- The lesson list, with a link to each lesson's check statistics ----------------------------

# courses' lesson admin knows nothing of practice; this app adds its column to the list (and a
# link to the form) by subclassing whichever admin the floors below registered last.
LessonAdminBelow = type(admin.site.get_model_admin(Lesson))


class LessonWithChecksAdmin(LessonAdminBelow):
    change_form_template = "admin/practice/lesson_change_form.html"

    def get_queryset(self, request: HttpRequest):
        # A subquery, not a join: other columns count other related rows in the same query.
        checks = (
            Check.objects.filter(lesson=OuterRef("pk"))
            .order_by()
            .values("lesson")
            .annotate(count=Count("pk"))
            .values("count")
        )
        return (
            super().get_queryset(request).annotate(check_count=Coalesce(Subquery(checks), Value(0)))
        )

    def get_list_display(self, request: HttpRequest):
        columns = list(super().get_list_display(request))
        if request.user.has_perm(STATISTICS_PERMISSION):
            columns.insert(len(columns) - 1, "check_statistics")
        return columns

    @admin.display(description=_("checks"), ordering="check_count")
    def check_statistics(self, lesson: Lesson):
        if not lesson.check_count:
            return "—"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:practice_checkattempt_lesson_statistics", args=[lesson.pk]),
            ngettext("%(count)d check", "%(count)d checks", lesson.check_count)
            % {"count": lesson.check_count},
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["practice_parent_template"] = (
            LessonAdminBelow.change_form_template or "admin/courses/lesson/change_form.html"
        )
        if obj is not None and request.user.has_perm(STATISTICS_PERMISSION):
            context["check_statistics_url"] = reverse(
                "admin:practice_checkattempt_lesson_statistics", args=[obj.pk]
            )
        return super().render_change_form(request, context, add, change, form_url, obj)


admin.site.unregister(Lesson)
admin.site.register(Lesson, LessonWithChecksAdmin)
