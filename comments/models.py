"""Threaded discussion on lessons, reply notifications and bug reports about lessons."""

from __future__ import annotations

from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.db import connection, models
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comments import rules
from courses.models import Lesson
from lessons.markup import render_comment
from lessons.text import validate_no_controls

# --- Comments ----------------------------------------------------------------------------------


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("visible")
    # Hidden automatically because enough learners flagged it; staff have not looked yet.
    AWAITING_REVIEW = "awaiting_review", _("hidden until reviewed")
    HIDDEN = "hidden", _("hidden by moderators")


# On show: neither deleted by its author nor hidden by moderators.
SHOWN = Q(is_removed=False, moderation=Moderation.VISIBLE)


def _tree_names() -> tuple[str, str, str]:
    """The quoted names the thread's recursive queries walk: the table, its parent column and
    its id column."""
    quote = connection.ops.quote_name
    table = quote(Comment._meta.db_table)
    return table, quote(Comment._meta.get_field("parent").column), f"{table}.{quote('id')}"


class CommentQuerySet(models.QuerySet):
    def for_lesson(self, lesson: Lesson) -> CommentQuerySet:
        """A lesson's whole thread, authors and their public names included, oldest first."""
        return (
            self.filter(lesson=lesson)
            .select_related("author__learner_profile")
            .order_by("created_at", "id")
        )

    def with_flag_of(self, user) -> CommentQuerySet:
        """Each comment's pending flag by `user`, if any, as `my_flag_id` (same query)."""
        mine = CommentFlag.objects.filter(
            comment=OuterRef("pk"), user=user, resolution=FlagResolution.PENDING
        )
        return self.annotate(my_flag_id=Subquery(mine.values("id")[:1]))

    def shown(self) -> CommentQuerySet:
        return self.filter(SHOWN)

    def threads_of(self, lesson: Lesson | int) -> CommentQuerySet:
        """The lesson's top-level comments that show something: themselves, or a reply below.

        (A gone comment stays as a placeholder only for shown replies; one whose replies are
        all gone too is counted here but draws nothing, which is rare enough not to cost a
        deeper query.)"""
        replies = Comment.objects.filter(parent=OuterRef("pk"))
        return self.filter(lesson=lesson, parent=None).filter(SHOWN | Exists(replies))

    def in_threads(self, tops: models.QuerySet) -> CommentQuerySet:
        """The comments of the threads `tops` start (any query of top-level comments, sliced or
        not), replies at every depth included, in one query: the replies are found by walking
        down from `tops`, so only those threads' rows are read however long the rest is."""
        tops_sql, tops_params = tops.values("id").query.sql_with_params()
        table, parent, id_column = _tree_names()
        tree = (
            f"WITH RECURSIVE tops AS ({tops_sql}), "
            f"tree(id) AS (SELECT id FROM tops UNION ALL "
            f"SELECT reply.id FROM {table} reply JOIN tree ON reply.{parent} = tree.id) "
            f"SELECT id FROM tree"
        )
        return self.filter(RawSQL(f"{id_column} IN ({tree})", tops_params, BooleanField()))

    def root_of(self, comment_id: int) -> CommentQuerySet:
        """The top-level comment of the thread `comment_id` belongs to (itself if it is one),
        found by walking up its parents in one query."""
        table, parent, id_column = _tree_names()
        ancestors = (
            f"WITH RECURSIVE up(id, parent_id) AS (SELECT id, {parent} FROM {table} "
            f"WHERE id = %s UNION ALL SELECT c.id, c.{parent} FROM {table} c "
            f"JOIN up ON c.id = up.parent_id) SELECT id FROM up WHERE parent_id IS NULL"
        )
        return self.filter(RawSQL(f"{id_column} IN ({ancestors})", [comment_id], BooleanField()))

    def as_thread(self) -> CommentQuerySet:
        """What a thread draws of each comment, oldest first: its author's public name, its
        rendered text (not the markdown source, which can be as long again)."""
        with_authors = self.select_related("author__learner_profile")
        return with_authors.defer("body").order_by("created_at", "id")

    def awaiting_review(self) -> CommentQuerySet:
        """The moderation queue: flags nobody has looked at, or hidden by flags."""
        flagged = CommentFlag.objects.filter(resolution=FlagResolution.PENDING)
        return self.filter(
            Q(pk__in=flagged.values("comment_id")) | Q(moderation=Moderation.AWAITING_REVIEW)
        )

    def with_pending_flag_count(self) -> CommentQuerySet:
        return self.annotate(
            pending_flags=Count("flags", filter=Q(flags__resolution=FlagResolution.PENDING))
        )


class Comment(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="comments")
    # Deleting an account keeps its comments, shown as written by "deleted user", so that the
    # replies around them keep their context.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
    )
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="replies"
    )
    body = models.TextField(_("comment"), blank=True, validators=[validate_no_controls])
    body_html = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    # Deleted by its author: the text is gone, a placeholder keeps the thread's shape.
    is_removed = models.BooleanField(default=False)
    moderation = models.CharField(
        max_length=20, choices=Moderation.choices, default=Moderation.VISIBLE
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["lesson", "created_at"])]

    def __str__(self) -> str:
        return f"#{self.pk}: {Truncator(self.body).chars(50)}"

    def save(self, *args, **kwargs) -> None:
        # Rendered once, here, whoever saves: templates only print body_html.
        self.body_html = render_comment(self.body) if self.body else ""
        if kwargs.get("update_fields") is not None and "body" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return f"{self.lesson.get_absolute_url()}#comment-{self.pk}"

    @property
    def author_name(self) -> str:
        """The public name: the author's display name, never their email address."""
        if self.author is None:
            return gettext("deleted user")
        return self.author.learner_profile.display_name

    @property
    def is_shown(self) -> bool:
        return not self.is_removed and self.moderation == Moderation.VISIBLE

    @property
    def editable_until(self):
        return self.created_at + timedelta(minutes=settings.COMMENTS_EDIT_MINUTES)

    def can_be_edited_by(self, user, *, now=None) -> bool:
        return rules.may_edit(
            reader_id=user.pk if user.is_authenticated else None,
            author_id=self.author_id,
            shown=self.is_shown,
            editable_until=self.editable_until.timestamp(),
            now=(now or timezone.now()).timestamp(),
        )

    def can_be_deleted_by(self, user) -> bool:
        return rules.may_delete(
            reader_id=user.pk if user.is_authenticated else None,
            author_id=self.author_id,
            removed=self.is_removed,
        )


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam or advertising")
    RUDE = "rude", _("Rude or abusive")
    OFF_TOPIC = "off_topic", _("Off topic")
    OTHER = "other", _("Something else")


class FlagResolution(models.TextChoices):
    PENDING = "pending", _("waiting for review")
    UPHELD = "upheld", _("upheld: comment hidden")
    DISMISSED = "dismissed", _("dismissed")


class CommentFlagQuerySet(models.QuerySet):
    def pending(self) -> CommentFlagQuerySet:
        return self.filter(resolution=FlagResolution.PENDING)

    def counting_toward_hiding(self) -> CommentFlagQuerySet:
        """Flags from learners whose accounts were not made for the purpose: a verified email
        address, an account COMMENTS_FLAG_MIN_ACCOUNT_DAYS old when they flagged, and at least
        COMMENTS_FLAG_MIN_COMMENTS of their own comments, written before the flag, on show.

        Sign-up signs learners in at once, so without this a few fresh accounts could hide any
        comment. Judged at the moment of each flag, so waiting does not make old flags count.
        """
        verified = EmailAddress.objects.filter(user=OuterRef("user_id"), verified=True)
        age = timedelta(days=settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS)
        flags = self.filter(
            Exists(verified), user__is_active=True, user__date_joined__lte=F("created_at") - age
        )
        if settings.COMMENTS_FLAG_MIN_COMMENTS > 0:
            own = (
                Comment.objects.shown()
                .filter(author=OuterRef("user_id"), created_at__lt=OuterRef("created_at"))
                .order_by()
                .values("author")
                .annotate(n=Count("pk"))
                .values("n")
            )
            flags = flags.annotate(
                own_comments=Coalesce(Subquery(own, output_field=models.IntegerField()), 0)
            ).filter(own_comments__gte=settings.COMMENTS_FLAG_MIN_COMMENTS)
        return flags


class CommentFlag(models.Model):
    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="flags")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="comment_flags"
    )
    reason = models.CharField(_("reason"), max_length=20, choices=FlagReason.choices)
    note = models.CharField(
        _("details"), max_length=500, blank=True, validators=[validate_no_controls]
    )
    created_at = models.DateTimeField(default=timezone.now)
    resolution = models.CharField(
        max_length=20, choices=FlagResolution.choices, default=FlagResolution.PENDING
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    objects = CommentFlagQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("flag")
        verbose_name_plural = _("flags")
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_flag_per_learner")
        ]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} on #{self.comment_id}"


class FlaggedComment(Comment):
    """The moderation queue in admin: comments with flags waiting for review."""

    class Meta:
        proxy = True
        verbose_name = _("flagged comment")
        verbose_name_plural = _("moderation queue")


class ThreadSubscription(models.Model):
    """A learner's choice about reply notifications on one lesson's thread.

    Without a row the learner is notified of replies to their comments once they have taken part
    in the thread, and a reader who never wrote in it is not subscribed; the 🔔 toggle and the
    unsubscribe link record a choice here (comments.services.replies_wanted).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_subscriptions"
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="+")
    is_active = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("thread subscription")
        constraints = [
            models.UniqueConstraint(fields=["user", "lesson"], name="one_subscription_per_thread")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {'on' if self.is_active else 'off'} {self.lesson_id}"


# --- Bug reports -------------------------------------------------------------------------------


class ReportCategory(models.TextChoices):
    TYPO = "typo", _("Typo")
    WRONG = "wrong", _("Wrong information")
    OUTDATED = "outdated", _("Outdated")
    BROKEN_LINK = "broken_link", _("Broken link")
    DISPLAY = "display", _("Display problem")
    OTHER = "other", _("Other")


class ReportStatus(models.TextChoices):
    NEW = "new", _("new")
    CONFIRMED = "confirmed", _("confirmed")
    FIXED = "fixed", _("fixed")
    WONTFIX = "wontfix", _("won't fix")
    DUPLICATE = "duplicate", _("duplicate")


OPEN_STATUSES = (ReportStatus.NEW, ReportStatus.CONFIRMED)


class BugReportQuerySet(models.QuerySet):
    def open(self) -> BugReportQuerySet:
        return self.filter(status__in=OPEN_STATUSES)

    def outdated(self) -> BugReportQuerySet:
        """Readers say the lesson may be out of date."""
        return self.filter(category=ReportCategory.OUTDATED)

    def count_per_lesson(self) -> Coalesce:
        """An annotation for a Lesson queryset: how many of these reports each lesson has,
        e.g. Lesson.objects.annotate(open_reports=BugReport.objects.open().count_per_lesson())."""
        counts = (
            self.filter(lesson=OuterRef("pk"))
            .order_by()
            .values("lesson")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return Coalesce(Subquery(counts, output_field=models.IntegerField()), 0)


class BugReport(models.Model):
    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="bug_reports")
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="bug_reports",
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    category = models.CharField(_("what kind of problem"), max_length=20, choices=ReportCategory)
    description = models.TextField(_("description"), validators=[validate_no_controls])
    passage = models.TextField(_("passage"), blank=True, validators=[validate_no_controls])
    page_url = models.CharField(_("page"), max_length=500, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ReportStatus, default=ReportStatus.NEW, db_index=True
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_bug_reports",
        limit_choices_to={"is_staff": True},
    )
    staff_notes = models.TextField(_("staff notes"), blank=True, validators=[validate_no_controls])
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BugReportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("bug report")
        verbose_name_plural = _("bug reports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class LessonReportSummary(Lesson):
    """Lessons with their open bug reports, for triage in admin."""

    class Meta:
        proxy = True
        verbose_name = _("open reports by lesson")
        verbose_name_plural = _("open reports by lesson")


class LessonFreshness(Lesson):
    """Lessons by staleness, for instructors in admin (comments.admin_freshness)."""

    class Meta:
        proxy = True
        verbose_name = _("lesson freshness")
        verbose_name_plural = _("freshness by lesson")


# --- Notifications -----------------------------------------------------------------------------


class NotificationKind(models.TextChoices):
    REPLY = "reply", _("reply to your comment")
    REPORT_FIXED = "report_fixed", _("your bug report was fixed")


class EmailStatus(models.TextChoices):
    QUEUED = "queued", _("waiting to be sent")
    SENT = "sent", _("sent")
    # Not wanted (emails off, no address), or the comment was no longer shown when its turn came.
    SKIPPED = "skipped", _("not sent: not wanted or no longer shown")
    FAILED = "failed", _("failed: given up after the last try")


class NotificationQuerySet(models.QuerySet):
    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)

    def for_list(self) -> NotificationQuerySet:
        return self.select_related(
            "comment__author__learner_profile",
            "comment__lesson__course",
            "report__lesson__course",
        ).order_by("-created_at", "-id")


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    comment = models.ForeignKey(
        Comment, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    report = models.ForeignKey(
        BugReport, on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # The email about it, sent by a task (notifications.notification_email_send): a row that is SENT
    # is never sent again, however often its task runs.
    email_status = models.CharField(
        _("email status"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.QUEUED
    )
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("email attempts"), default=0)
    email_error = models.TextField(_("last email error"), blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "comment"],
                condition=Q(kind="reply"),
                name="one_notification_per_reply",
            ),
            models.UniqueConstraint(
                fields=["recipient", "report"],
                condition=Q(kind="report_fixed"),
                name="one_notification_per_fixed_report",
            ),
            models.CheckConstraint(
                condition=(Q(kind="reply", comment__isnull=False))
                | Q(kind="report_fixed", report__isnull=False),
                name="notification_points_at_its_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"

    def get_absolute_url(self) -> str:
        return reverse("comments:notification-open", kwargs={"pk": self.pk})

    @property
    def target_url(self) -> str:
        if self.comment_id:
            return self.comment.get_absolute_url()
        return self.report.lesson.get_absolute_url()
