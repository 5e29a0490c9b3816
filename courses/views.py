from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.views.generic import DetailView, ListView

from courses.models import Course, Lesson, Tag


@dataclass(frozen=True)
class Position:
    """Where a lesson stands among its course's published lessons."""

    number: int | None  # None for a draft, which has no place in the published sequence yet
    total: int
    previous: dict | None
    next: dict | None


def lesson_position(lesson: Lesson) -> Position:
    siblings = list(
        Lesson.objects.published()
        .filter(course_id=lesson.course_id)
        .order_by("order", "id")
        .values("id", "slug", "title", "order")
    )
    ids = [sibling["id"] for sibling in siblings]
    if lesson.id in ids:
        index = ids.index(lesson.id)
        number = index + 1
        before, after = siblings[:index], siblings[index + 1 :]
    else:
        number = None
        before = [s for s in siblings if (s["order"], s["id"]) < (lesson.order, lesson.id)]
        after = [s for s in siblings if (s["order"], s["id"]) > (lesson.order, lesson.id)]
    return Position(
        number=number,
        total=len(siblings),
        previous=before[-1] if before else None,
        next=after[0] if after else None,
    )


class CatalogueView(ListView):
    template_name = "courses/catalogue.html"
    context_object_name = "courses"

    def get_queryset(self):
        courses = Course.objects.visible_to(self.request.user).with_published_totals()
        if not self.request.user.is_staff:
            courses = courses.filter(lesson_count__gt=0)
        return courses


class CourseDetailView(DetailView):
    template_name = "courses/course_detail.html"
    context_object_name = "course"
    slug_url_kwarg = "course_slug"

    def get_queryset(self):
        lessons = Lesson.objects.visible_to(self.request.user).outline().order_by("order", "id")
        return Course.objects.visible_to(self.request.user).prefetch_related(
            Prefetch("lessons", queryset=lessons, to_attr="outline")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        number = 0
        numbered = []
        for lesson in self.object.outline:
            if lesson.is_published:
                number += 1
            numbered.append((number if lesson.is_published else None, lesson))
        context["numbered_lessons"] = numbered
        context["published_count"] = number
        context["total_minutes"] = sum(
            lesson.minutes for lesson in self.object.outline if lesson.is_published
        )
        return context


class LessonDetailView(DetailView):
    template_name = "courses/lesson_detail.html"
    context_object_name = "lesson"

    def get_object(self, queryset=None) -> Lesson:
        return get_object_or_404(
            Lesson.objects.visible_to(self.request.user)
            .select_related("course")
            .prefetch_related("tags"),
            course__slug=self.kwargs["course_slug"],
            slug=self.kwargs["lesson_slug"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["position"] = lesson_position(self.object)
        return context


class TagDetailView(ListView):
    template_name = "courses/tag_detail.html"
    context_object_name = "lessons"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["tag_slug"])
        return (
            self.tag.lessons.visible_to(self.request.user)
            .select_related("course")
            .outline()
            .order_by("course__order", "course__title", "order")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag"] = self.tag
        return context
