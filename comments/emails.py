"""Notification emails: plain text, in the recipient's language, with a one-click unsubscribe."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from comments.models import Notification, NotificationKind

TEMPLATES = {
    NotificationKind.REPLY: "comments/email/reply",
    NotificationKind.REPORT_FIXED: "comments/email/report_fixed",
}


def absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def notification_message(notification: Notification) -> EmailMessage | None:
    """The email for a notification, or None when the learner does not want email or the
    comment it is about is no longer shown.

    Rendered when it is sent, which may be later than the reply: a reply hidden by moderators
    or deleted by its author in between sends no email at all. Its text must not go out, and
    a message saying only that something is gone is not worth an email.
    """
    # Imported here: services imports this module.
    from comments.notifications import unsubscribe_token

    if notification.comment_id and not notification.comment.is_shown:
        return None
    recipient = notification.recipient
    profile = getattr(recipient, "learner_profile", None)
    if profile is None or not profile.email_notifications or not recipient.email:
        return None
    lesson = notification.comment.lesson if notification.comment_id else notification.report.lesson
    token = unsubscribe_token(
        user=recipient, lesson=lesson if notification.kind == NotificationKind.REPLY else None
    )
    unsubscribe_url = absolute(reverse("comments:unsubscribe", kwargs={"token": token}))
    context = {
        "notification": notification,
        "comment": notification.comment,
        "report": notification.report,
        "lesson": lesson,
        "url": absolute(notification.target_url),
        "unsubscribe_url": unsubscribe_url,
        "site_name": settings.SITE_NAME,
    }
    base = TEMPLATES[notification.kind]
    with translation.override(profile.language or settings.LANGUAGE_CODE):
        subject = " ".join(render_to_string(f"{base}_subject.txt", context).split())
        body = render_to_string(f"{base}_body.txt", context)
    return EmailMessage(
        subject=f"[{settings.SITE_NAME}] {subject}",
        body=body,
        to=[recipient.email],
        headers={
            # RFC 8058: mail clients may offer their own unsubscribe button, which POSTs here.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
