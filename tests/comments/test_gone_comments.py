"""A comment hidden by moderators (or by flags, until review) or deleted by its author shows its
text nowhere: not in the notification list, not in an email that had not gone out yet."""

from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from comments.emails import notification_message
from comments.models import Comment, EmailStatus, Moderation, Notification
from comments.notifications import notification_email_send
from comments.services import (
    comment_delete,
    comment_flag,
    comment_post,
    comments_hide,
    comments_restore,
)

pytestmark = pytest.mark.django_db

GONE = "This comment is no longer available."
ABUSE = "You are an idiot and everybody knows it"


def opt_in(user) -> None:
    user.learner_profile.email_notifications = True
    user.learner_profile.save()


def notifications_page(client) -> str:
    return client.get(reverse("comments:notifications")).content.decode()


@pytest.fixture
def abusive_reply(learner, other_learner, lesson) -> Comment:
    """Jun answers Mina's question rudely; Mina has a notification about it."""
    question = comment_post(author=learner, lesson=lesson, body="How does this work?")
    return comment_post(author=other_learner, lesson=lesson, body=ABUSE, parent=question)


def flag_until_hidden(comment: Comment) -> None:
    for n in range(3):
        user = get_user_model().objects.create_user(
            username=f"flagger{n}",
            email=f"flagger{n}@example.com",
            date_joined=timezone.now() - timedelta(days=30),
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        comment_flag(comment=comment, user=user, reason="rude")


# --- The notification list ---------------------------------------------------------------------


def test_reply_hidden_by_moderators_shows_a_placeholder_in_notifications(mina, abusive_reply):
    assert ABUSE in notifications_page(mina)
    comments_hide(comments=[abusive_reply])
    page = notifications_page(mina)
    assert ABUSE not in page
    assert GONE in page
    assert "A reply to your comment on “First lesson”" in page


def test_hidden_reply_does_not_name_its_author_in_notifications(mina, abusive_reply):
    comments_hide(comments=[abusive_reply])
    page = notifications_page(mina)
    assert "Jun replied" not in page and "<strong>Jun</strong>" not in page


def test_reply_hidden_by_flags_shows_a_placeholder_until_reviewed(mina, abusive_reply):
    flag_until_hidden(abusive_reply)
    abusive_reply.refresh_from_db()
    assert abusive_reply.moderation == Moderation.AWAITING_REVIEW
    page = notifications_page(mina)
    assert ABUSE not in page and GONE in page


def test_reply_removed_in_any_way_shows_a_placeholder(mina, abusive_reply):
    # comment_delete takes the notification away; a removal by any other path must not leak.
    Comment.objects.filter(pk=abusive_reply.pk).update(is_removed=True)
    page = notifications_page(mina)
    assert ABUSE not in page and GONE in page


def test_restored_reply_shows_its_text_again(mina, abusive_reply):
    comments_hide(comments=[abusive_reply])
    comments_restore(comments=[abusive_reply])
    page = notifications_page(mina)
    assert ABUSE in page and GONE not in page


def test_only_the_gone_reply_is_replaced(mina, learner, other_learner, lesson, abusive_reply):
    kind = comment_post(
        author=other_learner, lesson=lesson, body="Sorry, here is a real answer", parent=None
    )
    question = Comment.objects.get(body="How does this work?")
    polite = comment_post(
        author=other_learner, lesson=lesson, body="It works like this", parent=question
    )
    comments_hide(comments=[abusive_reply])
    page = notifications_page(mina)
    assert "It works like this" in page and ABUSE not in page
    assert page.count(GONE) == 1
    assert kind and polite


def test_opening_a_gone_notification_leads_to_the_thread_without_the_text(mina, abusive_reply):
    comments_hide(comments=[abusive_reply])
    notification = Notification.objects.get()
    response = mina.get(notification.get_absolute_url())
    assert response["Location"].endswith(f"#comment-{abusive_reply.pk}")
    thread = mina.get(response["Location"]).content.decode()
    assert ABUSE not in thread and "How does this work?" in thread


# --- Emails not sent yet -----------------------------------------------------------------------


def test_email_is_not_sent_for_a_reply_hidden_before_it_went_out(
    jun, learner, lesson, django_capture_on_commit_callbacks
):
    opt_in(learner)
    question = comment_post(author=learner, lesson=lesson, body="Question")
    with django_capture_on_commit_callbacks() as pending:
        jun.post(reverse("comments:reply", args=[question.pk]), {"body": ABUSE})
    comments_hide(comments=Comment.objects.filter(body=ABUSE))
    for callback in pending:
        callback()
    assert mail.outbox == []
    assert Notification.objects.count() == 1  # still listed, with the placeholder


def test_email_is_not_sent_for_a_reply_hidden_by_flags(learner, abusive_reply):
    opt_in(learner)
    flag_until_hidden(abusive_reply)
    notification_id = Notification.objects.get().pk
    assert notification_email_send(notification_id=notification_id) == EmailStatus.SKIPPED
    assert mail.outbox == []


def test_email_is_not_sent_for_a_reply_deleted_before_it_went_out(
    learner, other_learner, lesson, django_capture_on_commit_callbacks, caplog
):
    opt_in(learner)
    question = comment_post(author=learner, lesson=lesson, body="Question")
    with django_capture_on_commit_callbacks() as pending:
        reply = comment_post(author=other_learner, lesson=lesson, body=ABUSE, parent=question)
    comment_delete(comment=reply)
    for callback in pending:
        callback()
    assert mail.outbox == []
    # Nothing went wrong: there was simply nothing left to send.
    assert "Could not email notification" not in caplog.text


def test_no_message_is_built_for_a_gone_reply(learner, abusive_reply):
    opt_in(learner)
    notification = Notification.objects.get()
    assert notification_message(notification) is not None
    for gone in ({"moderation": Moderation.HIDDEN}, {"is_removed": True}):
        Comment.objects.filter(pk=abusive_reply.pk).update(
            moderation=Moderation.VISIBLE, is_removed=False
        )
        Comment.objects.filter(pk=abusive_reply.pk).update(**gone)
        notification = Notification.objects.for_list().get()
        assert notification_message(notification) is None


def test_email_for_a_shown_reply_still_carries_its_text(learner, abusive_reply):
    opt_in(learner)
    notification_id = Notification.objects.get().pk
    assert notification_email_send(notification_id=notification_id) == EmailStatus.SENT
    (message,) = mail.outbox
    assert ABUSE in message.body
