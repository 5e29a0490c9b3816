"""Moderation and bug report triage, in Django admin."""

from __future__ import annotations

from urllib.parse import quote

from django.contrib import admin, messages
from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from comments import admin_freshness  # noqa: F401 - registers the lessons-by-freshness list
from comments.admin_reports import LessonReportListAdmin
from comments.models import (
    OPEN_STATUSES,
    BugReport,
    Comment,
    CommentFlag,
    FlaggedComment,
    FlagResolution,
    LessonReportSummary,
    Notification,
    ReportStatus,
)
from comments.notifications import notifications_email_again
from comments.services import (
    comment_moderation_set,
    comments_hide,
    comments_restore,
    flags_dismiss,
    reports_status_set,
)
from courses.admin import LessonAdmin
from courses.models import Lesson

# --- Comments and the moderation queue ---------------------------------------------------------


class FlagInline(admin.TabularInline):
    model = CommentFlag
    extra = 0
    can_delete = False
    fields = [
        "user", "reason", "note", "created_at", "counts_toward_hiding", "resolution",
        "resolved_at",
    ]  # fmt: skip
    readonly_fields = fields

    def get_queryset(self, request: HttpRequest):
        counting = CommentFlag.objects.filter(pk=OuterRef("pk")).counting_toward_hiding()
        return super().get_queryset(request).annotate(counts=Exists(counting))

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("counts toward hiding"), boolean=True)
    def counts_toward_hiding(self, flag: CommentFlag) -> bool:
        # Flags from new or unverified accounts bring a comment here but never hide it.
        return flag.counts


@admin.action(description=_("Hide the selected comments"))
def hide(modeladmin, request: HttpRequest, queryset) -> None:
    count = comments_hide(comments=queryset)
    modeladmin.message_user(
        request, ngettext("%d comment hidden.", "%d comments hidden.", count) % count
    )


@admin.action(description=_("Restore the selected comments (show them again)"))
def restore(modeladmin, request: HttpRequest, queryset) -> None:
    count = comments_restore(comments=queryset)
    modeladmin.message_user(
        request, ngettext("%d comment restored.", "%d comments restored.", count) % count
    )


@admin.action(description=_("Dismiss the flags on the selected comments"))
def dismiss(modeladmin, request: HttpRequest, queryset) -> None:
    count = flags_dismiss(comments=queryset)
    modeladmin.message_user(
        request,
        ngettext("Flags dismissed on %d comment.", "Flags dismissed on %d comments.", count)
        % count,
    )


class CommentAdminBase(admin.ModelAdmin):
    list_display = [
        "excerpt", "author_name", "lesson", "created_at", "moderation", "is_removed",
        "pending_flags", "on_site",
    ]  # fmt: skip
    list_select_related = ["author__learner_profile", "lesson__course"]
    list_filter = ["moderation", "is_removed", "lesson__course"]
    search_fields = ["body", "author__learner_profile__display_name", "author__email"]
    actions = [hide, restore, dismiss]
    inlines = [FlagInline]
    fields = [
        "lesson", "author", "parent", "body", "body_html_preview", "created_at", "edited_at",
        "is_removed", "moderation",
    ]  # fmt: skip
    readonly_fields = [
        "lesson", "author", "parent", "body", "body_html_preview", "created_at", "edited_at",
        "is_removed",
    ]  # fmt: skip

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).with_pending_flag_count()

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Comment, form, change: bool) -> None:
        # A moderation change goes through the service, which resolves the flags and tells
        # progress what the comment's achievements are worth now.
        moderation = obj.moderation
        if change and "moderation" in form.changed_data:
            obj.moderation = form.initial["moderation"]
        super().save_model(request, obj, form, change)
        if change and "moderation" in form.changed_data:
            comment_moderation_set(comment=obj, moderation=moderation)

    @admin.display(description=_("comment"))
    def excerpt(self, obj: Comment) -> str:
        return Truncator(obj.body).chars(80) or "—"

    @admin.display(description=_("author"), ordering="author__learner_profile__display_name")
    def author_name(self, obj: Comment) -> str:
        return obj.author_name

    @admin.display(description=_("pending flags"), ordering="pending_flags")
    def pending_flags(self, obj: Comment) -> int:
        return obj.pending_flags

    @admin.display(description=_("on the site"))
    def on_site(self, obj: Comment) -> str:
        return format_html('<a href="{}">{}</a>', obj.get_absolute_url(), _("view"))

    @admin.display(description=_("as shown"))
    def body_html_preview(self, obj: Comment) -> str:
        # body_html is sanitised when the comment is saved (lessons.markup.render_comment).
        return format_html('<div class="comment-preview">{}</div>', mark_safe(obj.body_html))


@admin.register(Comment)
class CommentAdmin(CommentAdminBase):
    date_hierarchy = "created_at"


@admin.register(FlaggedComment)
class FlaggedCommentAdmin(CommentAdminBase):
    """Comments with flags nobody has reviewed yet, most flagged first."""

    list_display = [
        "excerpt", "author_name", "lesson", "pending_flags", "reasons", "moderation", "on_site",
    ]  # fmt: skip
    list_filter = ["moderation", "lesson__course"]

    def get_queryset(self, request: HttpRequest):
        return (
            Comment.objects.awaiting_review()
            .select_related("author__learner_profile", "lesson__course")
            .with_pending_flag_count()
            .prefetch_related("flags")
            .order_by("-pending_flags", "created_at")
        )

    @admin.display(description=_("reasons"))
    def reasons(self, obj: Comment) -> str:
        pending = [flag for flag in obj.flags.all() if flag.resolution == FlagResolution.PENDING]
        return ", ".join(sorted({str(flag.get_reason_display()) for flag in pending}))


@admin.register(CommentFlag)
class CommentFlagAdmin(admin.ModelAdmin):
    list_display = ["comment", "user", "reason", "created_at", "resolution"]
    list_filter = ["resolution", "reason"]
    list_select_related = ["comment", "user"]
    raw_id_fields = ["comment", "user"]
    readonly_fields = ["resolved_at"]


# --- Bug reports -------------------------------------------------------------------------------


class OpenFilter(admin.SimpleListFilter):
    title = _("open or closed")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("open (new or confirmed)")), ("no", _("closed"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.open()
        if self.value() == "no":
            return queryset.exclude(status__in=OPEN_STATUSES)
        return queryset


STATUS_ACTIONS = {
    ReportStatus.NEW: _("Mark selected reports as new"),
    ReportStatus.CONFIRMED: _("Mark selected reports as confirmed"),
    ReportStatus.FIXED: _("Mark selected reports as fixed (tells the reporter)"),
    ReportStatus.WONTFIX: _("Mark selected reports as won't fix"),
    ReportStatus.DUPLICATE: _("Mark selected reports as duplicate"),
}


def _status_action(status: ReportStatus):
    @admin.action(description=STATUS_ACTIONS[status])
    def action(modeladmin, request: HttpRequest, queryset) -> None:
        changed = reports_status_set(reports=queryset.select_related("reporter"), status=status)
        modeladmin.message_user(
            request,
            ngettext("%d report changed.", "%d reports changed.", changed) % changed,
            messages.SUCCESS,
        )

    action.__name__ = f"mark_{status.value}"
    return action


@admin.action(description=_("Assign selected reports to me"))
def assign_to_me(modeladmin, request: HttpRequest, queryset) -> None:
    count = queryset.update(assignee=request.user)
    modeladmin.message_user(
        request, ngettext("%d report assigned.", "%d reports assigned.", count) % count
    )


@admin.register(BugReport)
class BugReportAdmin(admin.ModelAdmin):
    list_display = [
        "short_description", "status_chip", "category", "lesson_title", "passage_link",
        "assignee", "reported_by", "created_at",
    ]  # fmt: skip
    list_filter = [
        OpenFilter,
        "status",
        "category",
        "lesson__course",
        ("lesson", admin.RelatedOnlyFieldListFilter),
        ("assignee", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["lesson__course", "reporter__learner_profile", "assignee"]
    search_fields = ["description", "passage", "lesson__title"]
    date_hierarchy = "created_at"
    actions = [*(_status_action(status) for status in ReportStatus), assign_to_me]
    fieldsets = [
        (None, {"fields": ["lesson", "category", "description", "passage_on_lesson", "page_url"]}),
        (_("Triage"), {"fields": ["status", "assignee", "staff_notes"]}),
        (
            _("Reporter"),
            {"fields": ["reported_by", "contact_email", "user_agent", "created_at", "updated_at"]},
        ),
    ]
    readonly_fields = [
        "lesson", "category", "description", "passage_on_lesson", "page_url", "reported_by",
        "contact_email", "user_agent", "created_at", "updated_at",
    ]  # fmt: skip

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: BugReport, form, change: bool) -> None:
        # A status change goes through the service, which notifies the reporter and progress.
        status = obj.status
        if change and "status" in form.changed_data:
            obj.status = form.initial["status"]
        super().save_model(request, obj, form, change)
        reports_status_set(reports=[obj], status=status)

    @admin.display(description=_("description"))
    def short_description(self, obj: BugReport) -> str:
        return Truncator(obj.description).chars(60)

    @admin.display(description=_("status"), ordering="status")
    def status_chip(self, obj: BugReport) -> str:
        return format_html(
            '<span class="stream-chip stream-chip--{}">{}</span>',
            obj.status,
            obj.get_status_display(),
        )

    @admin.display(description=_("passage"))
    def passage_link(self, obj: BugReport) -> str:
        if not obj.passage.strip():
            return "—"
        return format_html(
            '<a class="passage-link" href="{}" target="_blank" rel="noopener" title="{}">{}</a>',
            passage_url(obj.lesson.get_absolute_url(), obj.passage),
            Truncator(" ".join(obj.passage.split())).chars(80),
            _("open at the passage"),
        )

    @admin.display(description=_("passage"))
    def passage_on_lesson(self, obj: BugReport) -> str:
        if not obj.passage.strip():
            return "—"
        return format_html(
            '<blockquote class="reported-passage">{}</blockquote>'
            '<p><a class="passage-link" href="{}" target="_blank" rel="noopener">{}</a></p>',
            obj.passage,
            passage_url(obj.lesson.get_absolute_url(), obj.passage),
            _("Open the lesson at this passage"),
        )

    @admin.display(description=_("lesson"), ordering="lesson__title")
    def lesson_title(self, obj: BugReport) -> str:
        return Truncator(obj.lesson.title).chars(40)

    @admin.display(description=_("reported by"))
    def reported_by(self, obj: BugReport) -> str:
        if obj.reporter_id:
            return obj.reporter.learner_profile.display_name
        return _("anonymous reader")


def passage_url(lesson_url: str, passage: str) -> str:
    """The lesson's address with a text fragment (`#:~:text=`) for the quoted passage: browsers
    that know text fragments scroll to it and highlight it; others open the lesson's top.

    A long or several-line passage is matched by its first and last words (`start,end`), which
    may lie in different paragraphs; an exact match of the whole would have to stay in one."""
    lines = [" ".join(line.split()) for line in passage.splitlines() if line.strip()]
    words = " ".join(lines).split()
    if len(lines) == 1 and len(words) <= 8:
        directive = _fragment_part(lines[0])
    else:
        directive = f"{_fragment_part(' '.join(words[:4]))},{_fragment_part(' '.join(words[-4:]))}"
    return f"{lesson_url}#:~:text={directive}"


def _fragment_part(text: str) -> str:
    # "-", "," and "&" have meanings in a text directive, so they are encoded with the rest.
    return quote(text, safe="").replace("-", "%2D")


@admin.register(LessonReportSummary)
class LessonReportSummaryAdmin(LessonReportListAdmin):
    """Which lessons need attention: open bug reports counted per lesson."""

    list_display = ["title", "course", "open_reports", "all_reports"]
    list_filter = ["course"]
    list_select_related = ["course"]
    search_fields = ["title"]

    def get_queryset(self, request: HttpRequest):
        return (
            super()
            .get_queryset(request)
            .annotate(
                open_count=Count("bug_reports", filter=Q(bug_reports__status__in=OPEN_STATUSES)),
                report_count=Count("bug_reports"),
            )
            .filter(report_count__gt=0)
            .order_by("-open_count", "course__order", "order")
        )

    def _reports_link(self, obj, count: int, **filters: str) -> str:
        url = reverse("admin:comments_bugreport_changelist")
        query = "&".join(
            f"{key}={value}" for key, value in {"lesson__id__exact": obj.pk, **filters}.items()
        )
        return format_html('<a href="{}?{}">{}</a>', url, query, count)

    @admin.display(description=_("open reports"), ordering="open_count")
    def open_reports(self, obj) -> str:
        return self._reports_link(obj, obj.open_count, open="yes")

    @admin.display(description=_("all reports"), ordering="report_count")
    def all_reports(self, obj) -> str:
        return self._reports_link(obj, obj.report_count)


# --- The lesson list, with each lesson's open reports ------------------------------------------


class OpenBugReports(admin.SimpleListFilter):
    title = _("open bug reports")
    parameter_name = "open_reports"

    def lookups(self, request, model_admin):
        return [("yes", _("Has open reports"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(open_bug_reports__gt=0)
        return queryset


# courses' lesson admin knows nothing of bug reports; this app adds its column to the list.
admin.site.unregister(Lesson)


@admin.register(Lesson)
class LessonWithReportsAdmin(LessonAdmin):
    list_display = [
        *LessonAdmin.list_display[:-1],
        "open_bug_reports",
        LessonAdmin.list_display[-1],
    ]
    list_filter = [*LessonAdmin.list_filter, OpenBugReports]

    def get_queryset(self, request: HttpRequest):
        open_reports = BugReport.objects.open().count_per_lesson()
        return super().get_queryset(request).annotate(open_bug_reports=open_reports)

    @admin.display(description=_("open bug reports"), ordering="open_bug_reports")
    def open_bug_reports(self, lesson: Lesson):
        if not lesson.open_bug_reports:
            return lesson.open_bug_reports
        url = reverse("admin:comments_bugreport_changelist")
        return format_html(
            '<a href="{}?lesson__id__exact={}&open=yes">{}</a>',
            url,
            lesson.pk,
            lesson.open_bug_reports,
        )


# --- Notifications and their emails ------------------------------------------------------------


@admin.action(
    description=_("Send the email again (failed or still waiting)"), permissions=["change"]
)
def email_again(modeladmin, request: HttpRequest, queryset) -> None:
    count = notifications_email_again(notifications=queryset)
    modeladmin.message_user(
        request, ngettext("%d email queued again.", "%d emails queued again.", count) % count
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "created_at", "read_at", "email_status", "email_attempts"]
    # "By email status: failed" lists the emails given up on after every try, with their errors.
    list_filter = ["email_status", "kind"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient", "comment", "report"]
    # Written by the email task only: staff send again with the action, which keeps the rules.
    readonly_fields = ["email_status", "emailed_at", "email_attempts", "email_error"]
    actions = [email_again]
