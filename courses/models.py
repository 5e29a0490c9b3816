from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, Count, DateField, F, Q, Sum, When
from django.db.models.functions import Coalesce, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from courses.content import check_blocks
from courses.positions import Position, lesson_positions
from courses.search import SearchTerms, lessons_matching
from courses.validators import (
    MINUTES,
    ORDER,
    TAG_INVALID,
    TOO_LONG,
    XP,
    duplicate_message,
    validate_color,
    validate_not_in_future,
    validate_one_line,
    validate_slug,
    validate_tag,
)
from lessons.markup import html_text, render_lesson_markdown
from lessons.text import validate_no_controls

DEFAULT_PERSONA = "피파"  # who speaks a lesson's one-line summary, unless its file says
DEFAULT_XP = 50


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

    def save(self, *args, **kwargs) -> None:
        # Rendering here keeps the stored HTML in step with the markdown whoever saves it.
        self.render()
        super().save(*args, **kwargs)

    def render(self) -> None:
        raise NotImplementedError

    @property
    def edited_since_loaded(self) -> bool:
        return self.edited_at is not None and (
            self.loaded_at is None or self.edited_at > self.loaded_at
        )

    @property
    def last_content_change(self) -> datetime | None:
        """When the text last changed: its admin edit, or its load from content/ (the loader
        only writes a row whose file changed), whichever came later."""
        if self.edited_since_loaded:
            return self.edited_at
        return self.loaded_at


def last_content_change_expression() -> Case:
    """ContentSource.last_content_change in SQL (creation when never loaded nor edited)."""
    return Case(
        When(
            Q(edited_at__isnull=False)
            & (Q(loaded_at__isnull=True) | Q(edited_at__gt=F("loaded_at"))),
            then=F("edited_at"),
        ),
        default=Coalesce(F("loaded_at"), F("created_at")),
    )


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


def slug_field(**kwargs) -> models.CharField:
    # A CharField rather than a SlugField: Django's looser slug check (capitals, underscores)
    # would only add a second, differently worded message beside validate_slug's.
    return models.CharField(
        max_length=100,
        validators=[validate_slug],
        error_messages={"max_length": TOO_LONG},
        **kwargs,
    )


def text_field(max_length: int, *, validators: Sequence = (), **kwargs) -> models.CharField:
    return models.CharField(
        max_length=max_length,
        error_messages={"max_length": TOO_LONG},
        validators=[validate_no_controls, *validators],
        **kwargs,
    )


def markdown_field(verbose_name: str, *, validators: Sequence = (), **kwargs) -> models.TextField:
    return models.TextField(
        verbose_name, blank=True, validators=[validate_no_controls, *validators], **kwargs
    )


class Course(ContentSource):
    slug = slug_field(unique=True)
    title = text_field(200, verbose_name=_("title"))
    tagline = text_field(300, blank=True)
    color = models.CharField(
        max_length=7,
        blank=True,
        validators=[validate_color],
        help_text=_('Optional. The course\'s colour on its card and page, like "#5b47d6".'),
    )
    intro_md = markdown_field("introduction (markdown)")
    intro_html = models.TextField(blank=True, editable=False)
    order = models.IntegerField(_("order"), default=0, validators=ORDER.validators())
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CourseQuerySet.as_manager()

    class Meta:
        ordering = ["order", "title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("courses:course-detail", kwargs={"course_slug": self.slug})

    def render(self) -> None:
        self.intro_html = render_lesson_markdown(self.intro_md).html


class Tag(models.Model):
    slug = models.CharField(
        max_length=50,
        unique=True,
        validators=[validate_tag],
        error_messages={"max_length": TAG_INVALID},
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    def get_absolute_url(self) -> str:
        return reverse("courses:tag-detail", kwargs={"tag_slug": self.slug})


HEAVY_LESSON_FIELDS = (
    "body_md", "body_html", "toc", "takeaways_md", "takeaways_html", "exercise_md",
    "exercise_html", "answer_md", "answer_html", "links", "summary", "body_text",
)  # fmt: skip


# Filled by PostgreSQL triggers (courses/migrations/0006_lesson_language_and_search.py), whoever
# writes the lesson, its tags or its course: never read or written by Django unless asked for.
SEARCH_FIELDS = ("search_vector", "search_words")


class SearchVectorField(models.Field):
    """A `tsvector` column on PostgreSQL, plain text elsewhere (SQLite's search does not use it).

    Django's own field (django.contrib.postgres.search) is the same on PostgreSQL, but would tie
    the model, and so every database, to django.contrib.postgres."""

    description = "a full-text search vector"

    def db_type(self, connection) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"


class LessonQuerySet(models.QuerySet):
    def published(self) -> LessonQuerySet:
        """What learners see now; a lesson scheduled for tomorrow joins by itself tomorrow."""
        return self.filter(published_q(), course__status=Status.PUBLISHED)

    def visible_to(self, user) -> LessonQuerySet:
        """Learners see published lessons; staff also see drafts (shown with a badge)."""
        if user.is_staff:
            return self.exclude(status=Status.ARCHIVED).exclude(course__status=Status.ARCHIVED)
        return self.published()

    def search(self, terms: SearchTerms) -> LessonQuerySet:
        """The lessons matching `terms`, best first (courses.search)."""
        return lessons_matching(self, terms=terms)

    def outline(self) -> LessonQuerySet:
        """What a list of lessons shows: no bodies, and tags in one extra query."""
        return self.defer(*HEAVY_LESSON_FIELDS).prefetch_related("tags")

    def in_sequence(self) -> LessonQuerySet:
        """In the order a course's lessons are read (and numbered: courses.positions)."""
        return self.order_by("order", "id")

    def with_review_date(self) -> LessonQuerySet:
        """Each lesson's `review_date`: its `reviewed` date, or else the day its content last
        changed (Lesson.reviewed_on, in SQL, so lists can sort by it)."""
        return self.annotate(
            review_date=Coalesce(
                F("reviewed"), TruncDate(last_content_change_expression()), output_field=DateField()
            )
        )

    def positions(self, lessons: Sequence[Lesson]) -> list[Position]:
        """Where each of `lessons` (saved or not, of any courses) stands on the site, in one
        query for them all."""
        published = (
            self.published()
            .filter(course_id__in={lesson.course_id for lesson in lessons})
            .only("id", "course_id", "slug", "title", "order")
            .order_by()  # lesson_positions puts them in sequence
        )
        return lesson_positions(lessons, published=published)


class LessonManager(models.Manager.from_queryset(LessonQuerySet)):
    def get_queryset(self) -> LessonQuerySet:
        # The search columns are the triggers' to write and only search reads them: loading them
        # with every lesson would carry a second copy of the text, and saving a lesson would
        # write back a stale vector for the trigger to replace.
        return super().get_queryset().defer(*SEARCH_FIELDS)


class LessonLevel(models.IntegerChoices):
    BEGINNER = 1, _("Beginner")
    INTERMEDIATE = 2, _("Intermediate")
    ADVANCED = 3, _("Advanced")


class LessonLanguage(models.TextChoices):
    """The language a lesson is written in (its summary is 피파's, in Korean, whatever it is)."""

    ENGLISH = "en", "English"
    KOREAN = "ko", "한국어"


class Lesson(ContentSource):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="lessons")
    slug = slug_field(db_index=True)
    title = text_field(200, verbose_name=_("title"))
    # Plain integer fields: the range validators and constraints say more than "positive", and a
    # Positive* field would give the admin form a second minimum in other words.
    order = models.IntegerField(_("order"), default=0, validators=ORDER.validators())
    minutes = models.SmallIntegerField(_("minutes"), default=10, validators=MINUTES.validators())
    level = models.PositiveSmallIntegerField(
        choices=LessonLevel.choices,
        default=LessonLevel.BEGINNER,
        error_messages={
            "invalid_choice": "unknown level %(value)r: use "
            + " or ".join(str(level) for level in LessonLevel.values)
        },
    )
    xp = models.IntegerField(_("XP"), default=DEFAULT_XP, validators=XP.validators())
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=LessonLanguage.choices,
        default=LessonLanguage.ENGLISH,
        help_text=_("The language the lesson is written in."),
        error_messages={
            "invalid_choice": "unknown language %(value)r: use "
            + " or ".join(LessonLanguage.values)
        },
    )
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
    summary = text_field(500, blank=True, validators=[validate_one_line])
    persona = text_field(50, default=DEFAULT_PERSONA)
    # The body keeps its `!!! check` blocks where they are written: the lesson's Check rows are
    # read from it on every save (courses.content.check_blocks), and body_html has a marker there.
    body_md = markdown_field(
        "body (markdown)",
        validators=[check_blocks.validate_check_blocks],
        help_text=_(
            "Knowledge checks go where they should appear in the body: a line "
            '!!! check "Question?", then indented options, - [ ] for a wrong one and - [x] for '
            "a right one, each optionally followed by an explanation indented under it as > …"
        ),
    )
    body_html = models.TextField(blank=True, editable=False)
    toc = models.JSONField(default=list, blank=True, editable=False)
    takeaways_md = markdown_field(
        "key takeaways (markdown)", validators=[check_blocks.validate_no_check_blocks]
    )
    takeaways_html = models.TextField(blank=True, editable=False)
    exercise_md = markdown_field(
        "exercise (markdown)", validators=[check_blocks.validate_no_check_blocks]
    )
    exercise_html = models.TextField(blank=True, editable=False)
    # The instructor's answer to the exercise, shown to a learner once they have sent their own.
    answer_md = markdown_field(
        _("model answer (markdown)"),
        validators=[check_blocks.validate_no_check_blocks],
        help_text=_(
            "Optional. The instructor's answer or guidance for the exercise, shown to learners "
            "only after they submit their own answer."
        ),
    )
    answer_html = models.TextField(blank=True, editable=False)
    links = models.JSONField(default=list, blank=True, help_text='[{"title": …, "url": …}]')
    tags = models.ManyToManyField(Tag, related_name="lessons", blank=True)
    # Content about generative media goes stale in months: readers see when someone last checked.
    reviewed = models.DateField(
        _("reviewed"),
        null=True,
        blank=True,
        validators=[validate_not_in_future],
        help_text=_(
            "The day someone last checked that the lesson is still right. Setting a newer date "
            "closes its open “outdated” reports as fixed. Empty: the day of the last edit is shown."
        ),
    )
    # The body and takeaways as plain text, for search and its snippets (rendered with them).
    body_text = models.TextField(blank=True, editable=False)
    # Title (weight A), summary and tags (B), body_text (C) and course title (D), in the
    # lesson's language's text search configuration; SEARCH_FIELDS says who fills them.
    search_vector = SearchVectorField(null=True, blank=True, editable=False)
    # Title, summary, tags and course title: what typos are forgiven in (trigram similarity).
    search_words = models.TextField(blank=True, default="", editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LessonManager()

    class Meta:
        ordering = ["course", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["course", "slug"], name="lesson_slug_unique_in_course"),
            ORDER.constraint("order", name="lesson_order_in_range"),
            MINUTES.constraint("minutes", name="lesson_minutes_in_range"),
            XP.constraint("xp", name="lesson_xp_in_range"),
            models.CheckConstraint(
                condition=Q(level__in=LessonLevel.values), name="lesson_level_known"
            ),
            models.CheckConstraint(
                condition=~Q(summary__contains="\n"), name="lesson_summary_one_line"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # The checks are the body's, as its HTML is: written with it, or not at all.
        with transaction.atomic():
            super().save(*args, **kwargs)
            update_fields = kwargs.get("update_fields")
            if update_fields is None or "body_md" in update_fields:
                self._checks_sync(self._rendered_checks)

    def get_absolute_url(self) -> str:
        return reverse(
            "courses:lesson-detail",
            kwargs={"course_slug": self.course.slug, "lesson_slug": self.slug},
        )

    @property
    def is_published(self) -> bool:
        """Learners can see it now (the same rule as LessonQuerySet.published, for one row)."""
        return (
            self.status == Status.PUBLISHED
            and not self.is_scheduled
            and self.course.status == Status.PUBLISHED
        )

    @property
    def is_scheduled(self) -> bool:
        return (
            self.status == Status.PUBLISHED
            and self.publish_at is not None
            and self.publish_at > timezone.now()
        )

    @property
    def status_label(self) -> str:
        """The status as the site shows it: a published lesson waiting for its publish date is
        "scheduled" (staff see it with a badge; it should not say "published")."""
        if self.is_scheduled:
            return str(_("scheduled"))
        return self.get_status_display()

    @property
    def reviewed_on(self) -> date | None:
        """The day readers are told the lesson was last checked: its `reviewed` date, or else
        the day its content last changed (None for a lesson never saved)."""
        if self.reviewed is not None:
            return self.reviewed
        changed = self.last_content_change or self.created_at
        return timezone.localdate(changed) if changed else None

    @property
    def title_and_source(self) -> str:
        """How a message names the lesson: “Title”, and its file if it has one."""
        return f"“{self.title}”" + (f", {self.source_path}" if self.source_path else "")

    def position(self) -> Position:
        """Where it stands among its course's published lessons ("Lesson 03 of 10")."""
        return Lesson.objects.positions([self])[0]

    def clashes(self) -> dict[str, str]:
        """{field: message} for another lesson of the course with the same slug, or (among
        lessons not archived) the same order: the loader's duplicate checks, in its words,
        against the database."""
        others = Lesson.objects.filter(course_id=self.course_id).exclude(pk=self.pk)
        clashes = {}
        same_slug = others.filter(slug=self.slug).first()
        if same_slug is not None:
            clashes["slug"] = duplicate_message(
                "lesson slug", self.slug, same_slug.title_and_source
            )
        if self.status != Status.ARCHIVED:
            same_order = others.exclude(status=Status.ARCHIVED).filter(order=self.order).first()
            if same_order is not None:
                clashes["order"] = duplicate_message(
                    "lesson order", self.order, same_order.title_and_source
                )
        return clashes

    def render(self) -> None:
        body, self._rendered_checks = check_blocks.render_lesson_body(self.body_md)
        self.body_html, self.toc = body.html, body.toc
        self.takeaways_html = render_lesson_markdown(self.takeaways_md).html
        self.exercise_html = render_lesson_markdown(self.exercise_md).html
        self.answer_html = render_lesson_markdown(self.answer_md).html if self.answer_md else ""
        self.body_text = html_text(self.body_html) + "\n" + html_text(self.takeaways_html)

    def _checks_sync(self, blocks: list[check_blocks.CheckBlock]) -> None:
        """Make the lesson's Check rows say what its body says, check by number: a check whose
        wording changed keeps its row (and its id, which learners' attempts point at), a
        number the body no longer has loses its row."""
        existing = {check.number: check for check in Check.objects.filter(lesson=self)}
        if not existing and not blocks:
            return
        gone = [check.pk for number, check in existing.items() if number > len(blocks)]
        if gone:
            Check.objects.filter(pk__in=gone).delete()
        new, changed = [], []
        for block in blocks:
            values = block.row_values()
            check = existing.get(block.number)
            if check is None:
                new.append(Check(lesson=self, number=block.number, **values))
            elif any(getattr(check, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(check, name, value)
                changed.append(check)
        if changed:
            Check.objects.bulk_update(changed, ["question", "multiple", "options", "fingerprint"])
        if new:
            Check.objects.bulk_create(new)
        getattr(self, "_prefetched_objects_cache", {}).pop("checks", None)

    def checks_in_body(self) -> list[check_blocks.CheckBlock]:
        """The checks its body holds now, saved or not (the admin's preview shows them)."""
        return check_blocks.check_blocks_in(self.body_md)[0]

    def body_pieces(self) -> list[tuple[str, int | None]]:
        """body_html cut where its checks go: (html, number of the check that follows, or None
        after the last piece). The lesson page draws each reader's check there."""
        return check_blocks.body_pieces(self.body_html)


class Check(models.Model):
    """A knowledge check: a question in a lesson's body, with options of which one or several
    are right (content/README.md, "!!! check").

    Content, like the body it is written in: Lesson.save() keeps a lesson's checks in step with
    its markdown, number by number. `fingerprint` changes exactly when what the check asks or
    which options are right changes (not with an explanation), so what an app above keeps about
    a check (a learner's answer) can tell whether it still answers the same question.
    """

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="checks")
    number = models.PositiveSmallIntegerField()  # 1, 2, … in the body's order
    question = text_field(check_blocks.QUESTION_MAX_LENGTH)
    multiple = models.BooleanField(default=False)  # several right options: "choose all"
    # [{"text": …, "correct": bool, "explanation": …}], texts plain (templates escape them).
    options = models.JSONField(default=list, validators=[check_blocks.validate_check_options])
    fingerprint = models.CharField(max_length=check_blocks.FINGERPRINT_LENGTH, editable=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["lesson", "number"], name="check_number_unique"),
            models.CheckConstraint(condition=Q(number__gte=1), name="check_number_from_one"),
        ]

    def __str__(self) -> str:
        return f"{self.lesson} · {self.number}. {self.question}"


class LessonRevision(models.Model):
    """A lesson as it was after one save: who saved it, when, what changed, and every field."""

    class Kind(models.TextChoices):
        EDITED = "edited", _("edited in admin")
        LOADED = "loaded", _("loaded from content/")
        RESTORED = "restored", _("restored")
        KEPT = "kept", _("kept before a forced load")

    # Lesson fields renamed since revisions were first stored: {old name: new name}.
    RENAMED_FIELDS = {"summary_by": "persona"}

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

    @property
    def lesson_data(self) -> dict:
        """The stored lesson, with fields under their current names."""
        return {self.RENAMED_FIELDS.get(name, name): value for name, value in self.data.items()}

    @property
    def changed_field_names(self) -> list[str]:
        return [self.RENAMED_FIELDS.get(name, name) for name in self.changed_fields]
