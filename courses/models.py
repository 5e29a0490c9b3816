from __future__ import annotations

from django.db import models
from django.db.models import Count, Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lessons.markup import render_lesson_markdown


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    # Set by the loader when a lesson's file disappears: hidden, never deleted, because
    # progress and comments point at lessons.
    ARCHIVED = "archived", _("archived")


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user) -> CourseQuerySet:
        if user.is_staff:
            return self.exclude(status=Status.ARCHIVED)
        return self.published()

    def with_published_totals(self) -> CourseQuerySet:
        published = Q(lessons__status=Status.PUBLISHED)
        return self.annotate(
            lesson_count=Count("lessons", filter=published),
            total_minutes=Sum("lessons__minutes", filter=published, default=0),
        )


class Course(models.Model):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    intro_md = models.TextField("introduction (markdown)", blank=True)
    intro_html = models.TextField(blank=True, editable=False)
    order = models.IntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    source_path = models.CharField(max_length=500, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("courses:course-detail", kwargs={"course_slug": self.slug})

    def render(self) -> None:
        self.intro_html = render_lesson_markdown(self.intro_md).html


class Tag(models.Model):
    slug = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("courses:tag-detail", kwargs={"tag_slug": self.slug})


HEAVY_LESSON_FIELDS = (
    "body_md", "body_html", "toc", "takeaways_md", "takeaways_html", "exercise_md",
    "exercise_html", "links", "summary",
)  # fmt: skip


class LessonQuerySet(models.QuerySet):
    def published(self) -> LessonQuerySet:
        return self.filter(status=Status.PUBLISHED, course__status=Status.PUBLISHED)

    def visible_to(self, user) -> LessonQuerySet:
        """Learners see published lessons; staff also see drafts (shown with a badge)."""
        if user.is_staff:
            return self.exclude(status=Status.ARCHIVED).exclude(course__status=Status.ARCHIVED)
        return self.published()

    def outline(self) -> LessonQuerySet:
        """What a list of lessons shows: no bodies, and tags in one extra query."""
        return self.defer(*HEAVY_LESSON_FIELDS).prefetch_related("tags")


class Lesson(models.Model):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    minutes = models.PositiveSmallIntegerField(default=10)
    level = models.PositiveSmallIntegerField(default=1)
    xp = models.PositiveIntegerField("XP", default=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    summary = models.TextField(blank=True)
    summary_by = models.CharField(max_length=50, default="피파")
    body_md = models.TextField("body (markdown)", blank=True)
    body_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    takeaways_md = models.TextField("key takeaways (markdown)", blank=True)
    takeaways_html = models.TextField(blank=True, editable=False)
    exercise_md = models.TextField("exercise (markdown)", blank=True)
    exercise_html = models.TextField(blank=True, editable=False)
    links = models.JSONField(default=list, blank=True, help_text='[{"title": …, "url": …}]')
    tags = models.ManyToManyField(Tag, related_name="lessons", blank=True)
    source_path = models.CharField(max_length=500, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonQuerySet.as_manager()

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique_in_course")
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # Rendering here keeps the stored HTML in step with the markdown whoever saves it.
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:lesson-detail",
            kwargs={"course_slug": self.course.slug, "lesson_slug": self.slug},
        )

    @property
    def is_published(self) -> bool:
        return self.status == Status.PUBLISHED

    def render(self) -> None:
        body = render_lesson_markdown(self.body_md)
        self.body_html, self.toc = body.html, body.toc
        self.takeaways_html = render_lesson_markdown(self.takeaways_md).html
        self.exercise_html = render_lesson_markdown(self.exercise_md).html
