"""Instructor authoring in Django admin: lessons with preview, publishing, ordering and history."""

from __future__ import annotations

from csp.constants import SELF
from csp.decorators import csp_replace
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from courses.admin_diff import markdown_text, word_diff
from courses.content.files import CourseFile
from courses.forms import (
    LessonAdminForm,
    LessonOrderForm,
    LessonOrderFormSet,
    ModelMessagesForm,
    TagAdminForm,
)
from courses.models import Course, Lesson, LessonRevision, Status, Tag
from courses.revisions import (
    TEXT_FIELDS,
    lesson_snapshot,
    revision_diff,
    revision_record,
    revision_restore,
)
from courses.services import lesson_reviewed_announce, lessons_set_status

# Stream's name on every admin page (templates/admin/base_site.html adds its colours).
admin.site.site_header = _("Stream admin")
admin.site.site_title = _("Stream admin")
admin.site.index_title = _("Courses, lessons and what readers report")
# The side menu would take a fifth of a 1280 px screen from the lesson list; breadcrumbs and
# the index lead everywhere instead.
admin.site.enable_nav_sidebar = False


class EditedInAdmin:
    """Records who edited a row in admin and when: load_content will not overwrite that work.

    A save that changes nothing is not an edit (the form alone cannot tell: it sees a trailing
    newline or reformatted JSON as a change)."""

    def save_model(self, request, obj, form, change):
        if not change or self.has_edits(obj, form):
            obj.edited_at, obj.edited_by = timezone.now(), request.user
        super().save_model(request, obj, form, change)

    def has_edits(self, obj, form) -> bool:
        raise NotImplementedError


class LabelledDateTimes:
    """Django's split date and time inputs are captioned "Date:" and "Time:" in plain text, not
    labels; screen readers hear which field each belongs to."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        widget = getattr(formfield, "widget", None)
        widget = getattr(widget, "widget", widget)  # inside the related-objects wrapper
        if isinstance(widget, forms.SplitDateTimeWidget):
            name = db_field.verbose_name
            date, time = widget.widgets
            date.attrs["aria-label"] = gettext("%(field)s: date") % {"field": name}
            time.attrs["aria-label"] = gettext("%(field)s: time") % {"field": name}
        return formfield


@admin.register(Course)
class CourseAdmin(LabelledDateTimes, EditedInAdmin, admin.ModelAdmin):
    form = ModelMessagesForm
    list_display = ["title", "slug", "order", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug", "tagline"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["source_path", "loaded_at", "edited_at", "edited_by", "created_at"]

    def has_edits(self, obj: Course, form) -> bool:
        saved = Course.objects.get(pk=obj.pk)
        return CourseFile.from_course(saved).meaning() != CourseFile.from_course(obj).meaning()


class LessonChangeList(ChangeList):
    """The lesson list, each lesson with its position on the site, in one query for the page."""

    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        lessons = list(self.result_list)
        for lesson, position in zip(lessons, Lesson.objects.positions(lessons), strict=True):
            lesson.site_position = position


@admin.register(Lesson)
class LessonAdmin(LabelledDateTimes, EditedInAdmin, admin.ModelAdmin):
    form = LessonAdminForm
    # The title leads; the course is a filter, so the columns that matter fit at 1280 px.
    list_display = [
        "title", "number_label", "order", "status_or_schedule", "minutes", "xp", "last_edited",
    ]  # fmt: skip
    list_display_links = ["title"]
    list_editable = ["order"]
    list_filter = ["course", "status", "level", "tags"]
    list_select_related = ["course", "edited_by"]
    search_fields = ["title", "slug", "body_md"]
    ordering = ["course__order", "course__title", "order", "id"]
    prepopulated_fields = {"slug": ["title"]}
    actions = ["publish", "unpublish"]
    view_on_site = True
    save_on_top = True
    readonly_fields = [
        "source_path", "loaded_at", "edited_at", "edited_by", "created_at", "updated_at",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["course", "title", "slug"]}),
        (
            _("Publishing"),
            {
                "fields": ["status", "publish_at", "order"],
                "description": _(
                    "Learners see a lesson when it is published and its publish date (if any) "
                    "has come. Lessons are numbered by order among the published ones."
                ),
            },
        ),
        (_("Details"), {"fields": ["minutes", "level", "xp", "language", "tags", "reviewed"]}),
        (_("Summary"), {"fields": ["summary", "persona"]}),
        (
            _("Content"),
            {
                "fields": ["body_md", "takeaways_md", "exercise_md", "answer_md", "links"],
                "description": _(
                    "Markdown, rendered and sanitised exactly as for files in content/. Use "
                    "“Preview” to see the lesson page before saving."
                ),
            },
        ),
        (
            _("Source and history"),
            {"fields": readonly_fields, "classes": ["collapse"]},
        ),
    ]

    def get_changelist(self, request: HttpRequest, **kwargs):
        return LessonChangeList

    def get_changelist_form(self, request, **kwargs):
        return LessonOrderForm

    def get_changelist_formset(self, request, **kwargs):
        kwargs["formset"] = LessonOrderFormSet
        return super().get_changelist_formset(request, **kwargs)

    @admin.display(description=_("No."), ordering="order")
    def number_label(self, lesson: Lesson) -> str:
        position = getattr(lesson, "site_position", None) or lesson.position()
        if position.number is None:
            return "—"
        return f"{position.number:02d} / {position.total:02d}"

    @admin.display(description=_("status"), ordering="status")
    def status_or_schedule(self, lesson: Lesson) -> str:
        if lesson.is_scheduled:
            when = timezone.localtime(lesson.publish_at).strftime("%Y-%m-%d %H:%M")
            text, kind = gettext("scheduled for %(when)s") % {"when": when}, "scheduled"
        else:
            text, kind = lesson.get_status_display(), lesson.status
        return format_html('<span class="stream-chip stream-chip--{}">{}</span>', kind, text)

    @admin.display(description=_("last edited"), ordering="edited_at")
    def last_edited(self, lesson: Lesson) -> str:
        if lesson.edited_since_loaded:
            who = lesson.edited_by.get_username() if lesson.edited_by else gettext("deleted user")
            when = timezone.localtime(lesson.edited_at).strftime("%Y-%m-%d %H:%M")
            return gettext("%(when)s by %(who)s") % {"when": when, "who": who}
        if lesson.loaded_at:
            when = timezone.localtime(lesson.loaded_at).strftime("%Y-%m-%d %H:%M")
            return gettext("%(when)s from content/") % {"when": when}
        return "—"

    # Saving: every save that changes something is an edit with a revision.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A newer review date is a review: the apps above answer what it settles.
        before = form.initial.get("reviewed") if change else None
        if obj.reviewed is not None and (before is None or obj.reviewed > before):
            lesson_reviewed_announce(lesson=obj, reviewed=obj.reviewed, user=request.user)

    def has_edits(self, obj: Lesson, form) -> bool:
        form.snapshot_before = lesson_snapshot(Lesson.objects.get(pk=obj.pk))
        tags = form.cleaned_data["tags"] if "tags" in form.cleaned_data else obj.tags.all()
        after = lesson_snapshot(obj, tags=[tag.slug for tag in tags])
        return after != form.snapshot_before

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Stores nothing when the save changed nothing.
        revision_record(
            lesson=form.instance,
            kind=LessonRevision.Kind.EDITED,
            author=request.user,
            before=getattr(form, "snapshot_before", None),
        )

    @admin.action(description=_("Publish the selected lessons now"), permissions=["change"])
    def publish(self, request, queryset):
        count = lessons_set_status(lessons=queryset, status=Status.PUBLISHED, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d lesson published.", "%(count)d lessons published.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(
        description=_("Unpublish the selected lessons (back to draft)"), permissions=["change"]
    )
    def unpublish(self, request, queryset):
        count = lessons_set_status(lessons=queryset, status=Status.DRAFT, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d lesson unpublished.", "%(count)d lessons unpublished.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    # Preview and history: views of their own under the lesson's admin URLs.

    def get_urls(self):
        view = self.admin_site.admin_view
        # The preview opens in a frame beside the lesson form, on the admin's own origin.
        preview = xframe_options_sameorigin(
            csp_replace({"frame-ancestors": [SELF]})(self.preview_view)
        )
        return [
            path("preview/", view(preview), name="courses_lesson_preview"),
            path("<path:object_id>/preview/", view(preview), name="courses_lesson_preview"),
            path(
                "<path:object_id>/revisions/",
                view(self.revisions_view),
                name="courses_lesson_revisions",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/",
                view(self.revision_view),
                name="courses_lesson_revision",
            ),
            path(
                "<path:object_id>/revisions/<int:revision_id>/restore/",
                view(require_POST(self.restore_view)),
                name="courses_lesson_revision_restore",
            ),
        ] + super().get_urls()

    def preview_view(self, request: HttpRequest, object_id: str | None = None):
        """Render the lesson form's contents as learners would see them, saving nothing."""
        if request.method != "POST":
            return HttpResponseRedirect(
                reverse("admin:courses_lesson_change", args=[object_id])
                if object_id
                else reverse("admin:courses_lesson_add")
            )
        original = self.get_object(request, object_id) if object_id else None
        if object_id and original is None:
            raise Http404
        allowed = (
            self.has_change_permission(request, original)
            if original
            else self.has_add_permission(request)
        )
        if not allowed:
            raise PermissionDenied
        form_class = self.get_form(request, original, change=original is not None)
        form = form_class(request.POST, request.FILES, instance=original)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "title": gettext("The lesson cannot be previewed yet"),
                "form": form,
            }
            return TemplateResponse(
                request, "admin/courses/lesson/preview_errors.html", context, status=400
            )
        lesson = form.save(commit=False)  # an unsaved instance: nothing is written
        lesson.render()  # what Lesson.save() does before it writes
        checks = {check.number: check for check in lesson.checks_in_body()}
        context = {
            "lesson": LessonPreview(lesson, tags=form.cleaned_data.get("tags", [])),
            # The body cut where its checks go, each with the check as written (right options
            # and all): staff see them in place.
            "check_pieces": [(html, checks.get(number)) for html, number in lesson.body_pieces()],
            "position": lesson.position(),  # where the lesson will stand once saved
            "preview": True,
            # Shown in the frame beside the form rather than in a tab of its own.
            "preview_beside_form": request.POST.get("_preview") == "beside",
        }
        return TemplateResponse(request, "courses/preview.html", context)

    def revisions_view(self, request: HttpRequest, object_id: str):
        lesson = self._lesson_or_404(request, object_id)
        revisions = lesson.revisions.select_related("author")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": lesson,
            "title": gettext("Revisions of “%(title)s”") % {"title": lesson.title},
            "revisions": revisions,
        }
        return TemplateResponse(request, "admin/courses/lesson/revisions.html", context)

    def revision_view(self, request: HttpRequest, object_id: str, revision_id: int):
        lesson = self._lesson_or_404(request, object_id)
        revision = get_object_or_404(lesson.revisions.select_related("author"), pk=revision_id)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": lesson,
            "revision": revision,
            "title": gettext("Revision of %(when)s")
            % {"when": timezone.localtime(revision.created_at).strftime("%Y-%m-%d %H:%M")},
            "diffs": [_readable(diff) for diff in revision_diff(revision, lesson)],
            "can_restore": self.has_change_permission(request, lesson),
        }
        return TemplateResponse(request, "admin/courses/lesson/revision.html", context)

    def restore_view(self, request: HttpRequest, object_id: str, revision_id: int):
        lesson = self._lesson_or_404(request, object_id)
        if not self.has_change_permission(request, lesson):
            raise PermissionDenied
        revision = get_object_or_404(lesson.revisions, pk=revision_id)
        try:
            revision_restore(revision=revision, user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                self.message_user(request, message, messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:courses_lesson_revision", args=[lesson.pk, revision.pk])
            )
        self.message_user(
            request,
            gettext("The lesson was restored to this revision; the restore is a new revision."),
            messages.SUCCESS,
        )
        return HttpResponseRedirect(reverse("admin:courses_lesson_change", args=[lesson.pk]))

    def _lesson_or_404(self, request: HttpRequest, object_id: str) -> Lesson:
        lesson = self.get_object(request, object_id)
        if lesson is None:
            raise Http404
        if not self.has_view_or_change_permission(request, lesson):
            raise PermissionDenied
        return lesson


def _readable(diff):
    """A field's difference as the words a reader reads: rendered markdown, or the text."""
    if diff.name in TEXT_FIELDS - {"summary"}:
        diff.words = word_diff(markdown_text(diff.then), markdown_text(diff.now))
    elif diff.name in {"title", "summary", "persona", "links"}:
        diff.words = word_diff(diff.then, diff.now)
    else:
        diff.words = None
    return diff


class LessonPreview:
    """An unsaved lesson as the lesson template reads it: the tags come from the form, because
    an unsaved lesson has no tags in the database to read."""

    def __init__(self, lesson: Lesson, *, tags):
        self._lesson = lesson
        self.tags = _Tags(list(tags))

    def __getattr__(self, name: str):
        return getattr(self._lesson, name)


class _Tags:
    def __init__(self, tags: list[Tag]):
        self._tags = tags

    def all(self) -> list[Tag]:
        return self._tags


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    form = TagAdminForm
    search_fields = ["slug"]
