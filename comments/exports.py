"""What the comments app holds about a learner, for "Export my data" (accounts.signals)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from comments.models import BugReport, Comment, CommentFlag, Notification, ThreadSubscription


def _iso(moment) -> str | None:
    return moment.isoformat() if moment else None


def learner_data(*, user: AbstractBaseUser) -> dict[str, list[dict[str, Any]]]:
    """What the comments app holds about a learner, as JSON-ready lists (for "Export my data")."""
    comments = Comment.objects.filter(author=user).select_related("lesson__course")
    reports = BugReport.objects.filter(reporter=user).select_related("lesson__course")
    notifications = Notification.objects.filter(recipient=user)
    flags = CommentFlag.objects.filter(user=user)
    subscriptions = ThreadSubscription.objects.filter(user=user).select_related("lesson__course")
    return {
        "comments": [
            {
                "id": c.pk,
                "course": c.lesson.course.slug,
                "lesson": c.lesson.slug,
                "in_reply_to": c.parent_id,
                "body": c.body,
                "created_at": _iso(c.created_at),
                "edited_at": _iso(c.edited_at),
                "deleted": c.is_removed,
                "moderation": c.moderation,
            }
            for c in comments.order_by("created_at", "id")
        ],
        "bug_reports": [
            {
                "id": r.pk,
                "course": r.lesson.course.slug,
                "lesson": r.lesson.slug,
                "category": r.category,
                "description": r.description,
                "passage": r.passage,
                "page_url": r.page_url,
                "status": r.status,
                "created_at": _iso(r.created_at),
            }
            for r in reports.order_by("created_at", "id")
        ],
        "notifications": [
            {
                "kind": n.kind,
                "comment": n.comment_id,
                "bug_report": n.report_id,
                "created_at": _iso(n.created_at),
                "read_at": _iso(n.read_at),
            }
            for n in notifications.order_by("created_at", "id")
        ],
        "comment_flags": [
            {
                "comment": f.comment_id,
                "reason": f.reason,
                "note": f.note,
                "created_at": _iso(f.created_at),
                "resolution": f.resolution,
            }
            for f in flags.order_by("created_at", "id")
        ],
        "thread_subscriptions": [
            {
                "course": s.lesson.course.slug,
                "lesson": s.lesson.slug,
                "reply_notifications": s.is_active,
            }
            for s in subscriptions.order_by("id")
        ],
    }
