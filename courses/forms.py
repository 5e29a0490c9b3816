"""The admin's lesson forms: the loader's checks and messages, applied to what instructors type."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from courses.content import (
    LEVELS,
    duplicate_message,
    length_message,
    link_problems,
    range_message,
    slug_message,
    special_blocks_in,
    tag_message,
)
from courses.models import Lesson, Status, Tag


def lesson_clashes(lesson: Lesson) -> dict[str, str]:
    """Another lesson in the course with the same slug, or (among lessons that are not archived)
    the same order: the loader's duplicate checks, against the database."""
    others = Lesson.objects.filter(course_id=lesson.course_id).exclude(pk=lesson.pk)
    clashes = {}
    same_slug = others.filter(slug=lesson.slug).first()
    if same_slug is not None:
        clashes["slug"] = duplicate_message("lesson slug", lesson.slug, _where(same_slug))
    if lesson.status != Status.ARCHIVED:
        same_order = others.exclude(status=Status.ARCHIVED).filter(order=lesson.order).first()
        if same_order is not None:
            clashes["order"] = duplicate_message("lesson order", lesson.order, _where(same_order))
    return clashes


def _where(lesson: Lesson) -> str:
    return f"“{lesson.title}”" + (f", {lesson.source_path}" if lesson.source_path else "")


def _markdown_editor(rows: int) -> forms.Textarea:
    return forms.Textarea(attrs={"class": "markdown-editor", "rows": rows, "spellcheck": "true"})


class LessonAdminForm(forms.ModelForm):
    class Meta:
        model = Lesson
        fields = [
            "course", "title", "slug", "status", "publish_at", "order", "minutes", "level", "xp",
            "tags", "summary", "summary_by", "body_md", "takeaways_md", "exercise_md", "links",
        ]  # fmt: skip
        widgets = {
            "body_md": _markdown_editor(32),
            "takeaways_md": _markdown_editor(7),
            "exercise_md": _markdown_editor(5),
            "links": forms.Textarea(attrs={"class": "markdown-editor", "rows": 6}),
            "summary": forms.TextInput(attrs={"class": "vLargeTextField"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # What every lesson file must have, so that any lesson can be exported and loaded back.
        for name in ("summary", "takeaways_md", "exercise_md"):
            if name in self.fields:
                self.fields[name].required = True

    def clean_title(self) -> str:
        return self._length("title", 200)

    def clean_slug(self) -> str:
        value = self.cleaned_data["slug"]
        if message := slug_message(value):
            raise forms.ValidationError(message)
        return value

    def clean_summary(self) -> str:
        value = self._length("summary", 500)
        if "\n" in value:
            raise forms.ValidationError("must be one line")
        return value

    def clean_summary_by(self) -> str:
        return self._length("summary_by", 50)

    def clean_order(self) -> int:
        return self._range("order", 0, 1_000_000)

    def clean_minutes(self) -> int:
        return self._range("minutes", 1, 600)

    def clean_xp(self) -> int:
        return self._range("xp", 0, 1000)

    def clean_level(self) -> int:
        value = self.cleaned_data["level"]
        if value not in LEVELS:
            allowed = " or ".join(str(level) for level in LEVELS)
            raise forms.ValidationError(f"unknown level {value!r}: use {allowed}")
        return value

    def clean_body_md(self) -> str:
        value = _markdown(self.cleaned_data["body_md"])
        for name, index in special_blocks_in(value):
            field = _("Key takeaways") if name == "takeaways" else _("Exercise")
            raise forms.ValidationError(
                f"line {index + 1}: a '!!! {name}' block belongs in the “{field}” field below, "
                "not in the body"
            )
        return value + "\n" if value else value

    def clean_takeaways_md(self) -> str:
        return _markdown(self.cleaned_data["takeaways_md"])

    def clean_exercise_md(self) -> str:
        return _markdown(self.cleaned_data["exercise_md"])

    def clean_links(self) -> list:
        value = self.cleaned_data.get("links")
        if value in (None, ""):
            return []
        links, problems = link_problems(value)
        if problems:
            raise forms.ValidationError(
                [
                    message if index is None else f"links[{index + 1}]: {message}"
                    for index, message in problems
                ]
            )
        return links

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
            for name, message in lesson_clashes(candidate).items():
                self.add_error(name, message)
        return cleaned

    def validate_unique(self) -> None:
        # clean() has reported a duplicate slug in the loader's words; Django's own message for
        # the same constraint would only repeat it.
        if "slug" not in self.errors:
            super().validate_unique()

    def _length(self, name: str, max_length: int) -> str:
        value = self.cleaned_data[name].strip()
        if message := length_message(value, max_length=max_length):
            raise forms.ValidationError(message)
        return value

    def _range(self, name: str, low: int, high: int) -> int:
        value = self.cleaned_data[name]
        if value is not None and (message := range_message(value, low=low, high=high)):
            raise forms.ValidationError(message)
        return value


def _markdown(text: str) -> str:
    """Browsers send CRLF line endings; files and the loader use LF."""
    return text.replace("\r\n", "\n").strip("\n")


class LessonOrderForm(forms.ModelForm):
    """One row of the lesson list, where the order is editable."""

    class Meta:
        model = Lesson
        fields = ["order"]

    def clean_order(self) -> int:
        value = self.cleaned_data["order"]
        if message := range_message(value, low=0, high=1_000_000):
            raise forms.ValidationError(message)
        return value


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
            .values("pk", "course_id", "order", "title", "source_path")
        )
        holders: dict[tuple[int, int], list[dict]] = {}
        for lesson in lessons:
            lesson["order"] = new_order.get(lesson["pk"], lesson["order"])
            holders.setdefault((lesson["course_id"], lesson["order"]), []).append(lesson)
        for form in rows:
            if form.instance.status == Status.ARCHIVED:
                continue
            key = (form.instance.course_id, form.cleaned_data["order"])
            others = [lesson for lesson in holders.get(key, []) if lesson["pk"] != form.instance.pk]
            if others:
                where = ", ".join(
                    f"“{o['title']}”" + (f", {o['source_path']}" if o["source_path"] else "")
                    for o in others
                )
                form.add_error("order", duplicate_message("lesson order", key[1], where))


class TagAdminForm(forms.ModelForm):
    class Meta:
        model = Tag
        fields = ["slug"]

    def clean_slug(self) -> str:
        value = self.cleaned_data["slug"]
        if message := tag_message(value):
            raise forms.ValidationError(message)
        return value
