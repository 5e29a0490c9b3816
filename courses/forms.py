"""The admin's forms: the models' own limits and messages (which are the loader's), and what only
a form of a whole lesson, or a whole list of lessons, can check."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.admin_links import LinksField
from courses.content.blocks import special_blocks_in
from courses.content.files import markdown_normal
from courses.models import Lesson, Status, Tag
from courses.validators import duplicate_message
from lessons.markup import MarkdownNestingError, render_lesson_markdown


class ModelMessagesForm(forms.ModelForm):
    """A form whose fields say what their model fields say.

    The model fields carry the limits and the loader's messages (courses.validators), and
    ModelForm checks a value against them; but a form field that knows its max_length refuses a
    long value first, in Django's words. Here it uses the model field's words instead.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            model_field = self._meta.model._meta.get_field(name)
            if too_long := model_field.error_messages.get("max_length"):
                form_field.error_messages["max_length"] = too_long

    def clean(self):
        cleaned = super().clean()
        # Markdown fields (`*_md`) are rendered when the row is saved: markdown the renderer
        # cannot take is this form's error, in the loader's words, rather than a failed save.
        for name in [name for name in cleaned if name.endswith("_md")]:
            if cleaned[name] and (problem := markdown_problem(cleaned[name])):
                self.add_error(name, problem)
        return cleaned


def markdown_problem(text: str) -> str | None:
    """Why `text` cannot be rendered, naming its line as the loader does, or None."""
    try:
        render_lesson_markdown(text)
    except MarkdownNestingError as exc:
        return f"line {exc.line}: {exc.message()}" if exc.line is not None else exc.message()
    return None


def _markdown_editor(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "markdown-editor", "rows": rows, "spellcheck": "true"})


class LessonAdminForm(ModelMessagesForm):
    # Rows of title and address, stored in the same JSON list (checked as the loader checks it).
    links = LinksField(
        label=_("External links"),
        required=False,
        help_text=_("Shown under the lesson, in this order."),
    )

    class Meta:
        model = Lesson
        fields = [
            "course", "title", "slug", "status", "publish_at", "order", "minutes", "level", "xp",
            "language", "tags", "summary", "persona", "body_md", "takeaways_md", "exercise_md",
            "answer_md", "links", "reviewed",
        ]  # fmt: skip
        widgets = {
            "body_md": _markdown_editor(32),
            "takeaways_md": _markdown_editor(7),
            "exercise_md": _markdown_editor(5),
            "answer_md": _markdown_editor(5),
            "title": forms.TextInput(attrs={"class": "vLargeTextField"}),
            # Checkboxes: every tag labelled, usable without JavaScript and in half a screen.
            "tags": forms.CheckboxSelectMultiple(attrs={"class": "tag-choices"}),
            "summary": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What every lesson file must have, so that any lesson can be exported and loaded back.
        for name in ("summary", "takeaways_md", "exercise_md"):
            if name in self.fields:
                self.fields[name].required = True

    def clean_body_md(self) -> str:
        # Its `!!! check` blocks stay in the body; the model field's validator checks them
        # (courses.content.check_blocks), in the loader's words.
        value = markdown_normal(self.cleaned_data["body_md"])
        for block in special_blocks_in(value):
            field = {
                "takeaways": _("Key takeaways"),
                "exercise": _("Exercise"),
                "answer": _("Model answer"),
            }[block.name]
            raise forms.ValidationError(
                f"line {block.start + 1}: a '!!! {block.name}' block belongs in the “{field}” "
                "field below, not in the body"
            )
        return value + "\n" if value else value

    def clean_takeaways_md(self) -> str:
        return markdown_normal(self.cleaned_data["takeaways_md"])

    def clean_exercise_md(self) -> str:
        return markdown_normal(self.cleaned_data["exercise_md"])

    def clean_answer_md(self) -> str:
        return markdown_normal(self.cleaned_data["answer_md"])

    def clean(self):
        cleaned = super().clean()
        if not self.errors.keys() & {"course", "slug", "order", "status"}:
            candidate = Lesson(
                pk=self.instance.pk,
                course=cleaned.get("course"),
                slug=cleaned.get("slug"),
                order=cleaned.get("order"),
                status=cleaned.get("status"),
            )
            # Reported here, in the loader's words, the slug clash keeps Django's own message
            # for the same unique constraint from appearing beside it.
            for name, message in candidate.clashes().items():
                self.add_error(name, message)
        return cleaned


class LessonOrderForm(forms.ModelForm):
    """One row of the lesson list, where the order is editable."""

    class Meta:
        model = Lesson
        fields = ["order"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The list's column header is not a label: each input says whose order it holds.
        if self.instance.pk:
            self.fields["order"].widget.attrs["aria-label"] = _("Order of “%(title)s”") % {
                "title": self.instance.title
            }


class LessonOrderFormSet(forms.BaseModelFormSet):
    """Checks the orders as they will be after the whole list is saved, so that two lessons can
    swap places in one go, but two lessons of a course never share a number."""

    def clean(self) -> None:
        super().clean()
        rows = [f for f in self.forms if f.instance.pk and "order" in f.cleaned_data]
        new_order = {f.instance.pk: f.cleaned_data["order"] for f in rows}
        courses = {f.instance.course_id for f in rows}
        lessons = (
            Lesson.objects.filter(course_id__in=courses)
            .exclude(status=Status.ARCHIVED)
            .only("pk", "course_id", "order", "title", "source_path")
        )
        holders: dict[tuple[int, int], list[Lesson]] = {}
        for lesson in lessons:
            lesson.order = new_order.get(lesson.pk, lesson.order)
            holders.setdefault((lesson.course_id, lesson.order), []).append(lesson)
        for form in rows:
            if form.instance.status == Status.ARCHIVED:
                continue
            key = (form.instance.course_id, form.cleaned_data["order"])
            others = [lesson for lesson in holders.get(key, []) if lesson.pk != form.instance.pk]
            if others:
                where = ", ".join(other.title_and_source for other in others)
                form.add_error("order", duplicate_message("lesson order", key[1], where))


class TagAdminForm(ModelMessagesForm):
    class Meta:
        model = Tag
        fields = ["slug"]
