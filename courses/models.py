from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lessons.markup import render_lesson_markdown


class Status(models.TextChoices):
    DRAFT = "draft", _("draft")
    PUBLISHED = "published", _("published")
    # Set by the loader when a lesson's file disappears: hidden, never deleted, because
    # progress and comments point at lessons.
    ARCHIVED = "archived", _("archived")


def published_q(prefix: str = "") -> Q:
    """The one definition of a lesson learners can see now: published, and its publish date (if
    any) has come. `prefix` reaches lessons through a relation, e.g. "lessons__"."""
    return Q(**{f"{prefix}status": Status.PUBLISHED}) & (
        Q(**{f"{prefix}publish_at__isnull": True})
        | Q(**{f"{prefix}publish_at__lte": timezone.now()})
    )


class ContentSource(models.Model):
    """Where a row came from in content/, and who last changed it in admin.

    When load_content last wrote the row, and when an instructor last saved it in admin: an
    admin edit newer than the load is work that the next load must not silently overwrite.
    """

    source_path = models.CharField(max_length=500, blank=True, editable=False)
    source_hash = models.CharField(max_length=64, blank=True, editable=False)
    loaded_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_at = models.DateTimeField(null=True, blank=True, editable=False)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        editable=False,
        related_name="+",
    )

    class Meta:
        abstract = True


class CourseQuerySet(models.QuerySet):
    def published(self) -> CourseQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def visible_to(self, user) -> CourseQuerySet:
        if user.is_staff:
            return self.exclude(status=Status.ARCHIVED)
        return self.published()

    def with_published_totals(self) -> CourseQuerySet:
        published = published_q("lessons__")
        return self.annotate(
            lesson_count=Count("lessons", filter=published),
            total_minutes=Sum("lessons__minutes", filter=published, default=0),
        )


class Course(ContentSource):
    slug = models.SlugField(max_length=100, unique=True)
    title = models.CharField(max_length=200)
    tagline = models.CharField(max_length=300, blank=True)
    intro_md = models.TextField("introduction (markdown)", blank=True)
    intro_html = models.TextField(blank=True, editable=False)
    order = models.IntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
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

    @property
    def edited_since_loaded(self) -> bool:
        return _edited_since_loaded(self)


def _edited_since_loaded(obj: Course | Lesson) -> bool:
    return obj.edited_at is not None and (obj.loaded_at is None or obj.edited_at > obj.loaded_at)


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
        """What learners see now; a lesson scheduled for tomorrow joins by itself tomorrow."""
        return self.filter(published_q(), course__status=Status.PUBLISHED)

    def visible_to(self, user) -> LessonQuerySet:
        """Learners see published lessons; staff also see drafts (shown with a badge)."""
        if user.is_staff:
            return self.exclude(status=Status.ARCHIVED).exclude(course__status=Status.ARCHIVED)
        return self.published()

    def outline(self) -> LessonQuerySet:
        """What a list of lessons shows: no bodies, and tags in one extra query."""
        return self.defer(*HEAVY_LESSON_FIELDS).prefetch_related("tags")

    def with_numbers(self) -> LessonQuerySet:
        """Annotate `number` (place among the course's published lessons, as on the site) and
        `published_total`; number is only meaningful for lessons that are published now."""
        siblings = Lesson.objects.published().filter(course=models.OuterRef("course"))
        before = siblings.filter(
            Q(order__lt=models.OuterRef("order"))
            | Q(order=models.OuterRef("order"), id__lt=models.OuterRef("id"))
        )
        return self.annotate(number=_count(before) + 1, published_total=_count(siblings))


def _count(queryset: models.QuerySet) -> Coalesce:
    counts = queryset.order_by().values("course").annotate(n=Count("id")).values("n")
    return Coalesce(models.Subquery(counts, output_field=models.IntegerField()), 0)


class Lesson(ContentSource):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons")
    slug = models.SlugField(max_length=100)
    title = models.CharField(max_length=200)
    order = models.PositiveIntegerField(default=0)
    minutes = models.PositiveSmallIntegerField(default=10)
    level = models.PositiveSmallIntegerField(default=1)
    xp = models.PositiveIntegerField("XP", default=50)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    publish_at = models.DateTimeField(
        _("publish date"),
        null=True,
        blank=True,
        help_text=_(
            "Optional. A published lesson stays hidden from learners until this moment, then "
            "appears by itself."
        ),
    )
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
        """Learners can see it now (the same rule as LessonQuerySet.published, for one row)."""
        return self.status == Status.PUBLISHED and not self.is_scheduled

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    def get_status_display(self) -> str:
        # Staff see a scheduled lesson on the site with a badge: it should not say "published".
        if self.is_scheduled:
            return str(_("scheduled"))
        return str(Status(self.status).label) if self.status in Status.values else self.status

    @property
    def edited_since_loaded(self) -> bool:
        return _edited_since_loaded(self)

    def render(self) -> None:
        body = render_lesson_markdown(self.body_md)
        self.body_html, self.toc = body.html, body.toc
        self.takeaways_html = render_lesson_markdown(self.takeaways_md).html
        self.exercise_html = render_lesson_markdown(self.exercise_md).html


class LessonRevision(models.Model):
    """A lesson as it was after one save: who saved it, when, what changed, and every field."""

    class Kind(models.TextChoices):
        EDITED = "edited", _("edited in admin")
        LOADED = "loaded", _("loaded from content/")
        RESTORED = "restored", _("restored")
        KEPT = "kept", _("kept before a forced load")

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="revisions")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    changed_fields = models.JSONField(default=list, blank=True)
    note = models.CharField(max_length=200, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.lesson} @ {self.created_at:%Y-%m-%d %H:%M}"
