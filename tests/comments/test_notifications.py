from unittest import mock

import pytest
from django.core import mail, signing
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse

from comments import signals
from comments.models import Comment, EmailStatus, Notification, ThreadSubscription
from comments.notifications import (
    notification_email_send,
    unsubscribe_token,
    unsubscribe_token_read,
)
from comments.services import comment_post

pytestmark = pytest.mark.django_db


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def opt_in(user) -> None:
    user.learner_profile.email_notifications = True
    user.learner_profile.save()


def reply_url(comment) -> str:
    return reverse("comments:reply", args=[comment.pk])


def test_reply_notifies_the_parent_author_once(
    jun, learner, lesson, django_capture_on_commit_callbacks
):
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    with django_capture_on_commit_callbacks(execute=True):
        jun.post(reply_url(parent), {"body": "Answer"})
    reply = Comment.objects.get(body="Answer")
    notification = Notification.objects.get()
    assert (notification.recipient, notification.kind, notification.comment) == (
        learner, "reply", reply
    )  # fmt: skip
    assert mail.outbox == []  # Mina did not ask for email
    assert (
        Notification.objects.get_or_create(recipient=learner, kind="reply", comment=reply)[1]
        is False
    )


def test_replying_to_yourself_notifies_nobody(mina, learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    mina.post(reply_url(parent), {"body": "Never mind, found it"})
    assert Comment.objects.count() == 2
    assert not Notification.objects.exists()


def test_signals_go_out_after_commit_with_their_keys(
    learner, other_learner, lesson, django_capture_on_commit_callbacks
):
    heard = []

    def listen(signal_name):
        def receiver(sender, *, user, key, **kwargs):
            heard.append((signal_name, user.pk, key))

        return receiver

    receivers = {name: listen(name) for name in ("posted", "reply", "self")}
    signals.comment_posted.connect(receivers["posted"], dispatch_uid="t-posted")
    signals.reply_received.connect(receivers["reply"], dispatch_uid="t-reply")
    try:
        with django_capture_on_commit_callbacks() as callbacks:
            parent = comment_post(author=learner, lesson=lesson, body="Q")
            reply = comment_post(author=other_learner, lesson=lesson, body="A", parent=parent)
            own = comment_post(author=other_learner, lesson=lesson, body="B", parent=reply)
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
    finally:
        signals.comment_posted.disconnect(dispatch_uid="t-posted")
        signals.reply_received.disconnect(dispatch_uid="t-reply")
    assert heard == [
        ("posted", learner.pk, f"comment:{parent.pk}"),
        ("posted", other_learner.pk, f"comment:{reply.pk}"),
        ("reply", learner.pk, f"comment:{reply.pk}"),
        ("posted", other_learner.pk, f"comment:{own.pk}"),
    ]


def test_opted_in_learner_gets_an_email_with_an_unsubscribe_link(
    jun, learner, lesson, django_capture_on_commit_callbacks
):
    opt_in(learner)
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    with django_capture_on_commit_callbacks(execute=True):
        jun.post(reply_url(parent), {"body": "Here is **the** answer"})
    (message,) = mail.outbox
    assert message.to == ["mina@example.com"]
    assert message.subject == "[C.W.K. Stream] Jun replied to your comment on “First lesson”"
    assert "Here is **the** answer" in message.body
    assert "jun@example.com" not in message.body
    unsubscribe = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert unsubscribe in message.body
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_failing_mail_server_keeps_the_comment_and_is_logged(
    settings, jun, learner, lesson, django_capture_on_commit_callbacks, caplog
):
    settings.EMAIL_BACKEND = "tests.comments.test_notifications.BrokenMailServer"
    opt_in(learner)
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    with django_capture_on_commit_callbacks(execute=True):
        response = jun.post(reply_url(parent), {"body": "Still here"})
    assert response.status_code == 302
    assert Comment.objects.filter(body="Still here").exists()
    notification = Notification.objects.get()
    assert "Could not email notification" in caplog.text
    # Without a worker (the immediate backend) nothing can try again later: given up on at once,
    # and kept for staff to see and send again.
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.FAILED, 1)
    assert "the mail server is down" in notification.email_error


def test_bell_shows_the_unread_count_and_the_list_marks_read(mina, learner, other_learner, lesson):
    assert "bell__count" not in mina.get("/").content.decode()  # 0, cached for mina now
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    reply = comment_post(author=other_learner, lesson=lesson, body="An answer", parent=parent)
    page = mina.get("/").content.decode()
    assert '<span class="bell__count" aria-hidden="true">1</span>' in page
    listing = mina.get(reverse("comments:notifications")).content.decode()
    assert "replied to your comment on “First lesson”" in listing and "An answer" in listing
    notification = Notification.objects.get()
    response = mina.get(notification.get_absolute_url())
    assert response["Location"] == reply.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert "bell__count" not in mina.get("/").content.decode()


def test_mark_all_as_read(mina, learner, other_learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Q")
    for body in ("A1", "A2"):
        comment_post(author=other_learner, lesson=lesson, body=body, parent=parent)
    assert '<span class="bell__count" aria-hidden="true">2</span>' in mina.get("/").content.decode()
    mina.post(reverse("comments:notifications-read"))
    assert not Notification.objects.unread().exists()
    assert "bell__count" not in mina.get("/").content.decode()


def test_nobody_opens_another_learners_notification(jun, learner, other_learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Q")
    comment_post(author=other_learner, lesson=lesson, body="A", parent=parent)
    notification = Notification.objects.get()
    assert jun.get(notification.get_absolute_url()).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_unread_count_costs_nothing_for_readers_and_one_query_per_change_for_learners(
    client, learner, lesson, django_assert_num_queries
):
    from django.contrib.auth.models import AnonymousUser
    from django.test import RequestFactory

    from comments.context_processors import notifications

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert notifications(request) == {}
    request.user = learner
    context = notifications(request)
    with django_assert_num_queries(1):
        assert context["unread_notifications"]() == 0
        assert context["unread_notifications"]() == 0
    with django_assert_num_queries(0):  # the next page: from the cache
        assert notifications(request)["unread_notifications"]() == 0


def test_reading_a_thread_subscribes_nobody_taking_part_does(mina, learner, other_learner, lesson):
    """Reply notifications default to on only in threads the learner took part in."""
    page = lesson.get_absolute_url()
    first = comment_post(author=other_learner, lesson=lesson, body="Jun asks")
    assert "Reply notifications: off" in mina.get(page).content.decode()
    assert not ThreadSubscription.objects.exists()
    mine = comment_post(author=learner, lesson=lesson, body="Mina answers", parent=first)
    assert "Reply notifications: on" in mina.get(page).content.decode()
    comment_post(author=other_learner, lesson=lesson, body="Thanks", parent=mine)
    assert Notification.objects.get(recipient=learner).comment.body == "Thanks"
    assert not ThreadSubscription.objects.exists()  # the default, not a stored choice


def test_thread_toggle_turns_reply_notifications_off_and_on(mina, learner, other_learner, lesson):
    url = reverse("comments:thread-notifications", args=[lesson.course.slug, lesson.slug])
    comment_post(author=learner, lesson=lesson, body="Took part")
    assert "Reply notifications: on" in mina.get(lesson.get_absolute_url()).content.decode()
    mina.post(url, {"notify": "off"})
    assert "Reply notifications: off" in mina.get(lesson.get_absolute_url()).content.decode()
    parent = comment_post(author=learner, lesson=lesson, body="Q")
    comment_post(author=other_learner, lesson=lesson, body="A", parent=parent)
    assert not Notification.objects.exists()
    mina.post(url, {"notify": "on"})
    comment_post(author=other_learner, lesson=lesson, body="B", parent=parent)
    assert Notification.objects.count() == 1


def test_thread_toggle_needs_sign_in(client, lesson):
    url = reverse("comments:thread-notifications", args=[lesson.course.slug, lesson.slug])
    assert client.post(url, {"notify": "off"}).status_code == 302
    assert not ThreadSubscription.objects.exists()


# --- Unsubscribe links -------------------------------------------------------------------------


def test_unsubscribe_link_works_without_signing_in(client, learner, lesson):
    opt_in(learner)
    url = reverse("comments:unsubscribe", args=[unsubscribe_token(user=learner, lesson=lesson)])
    page = client.get(url)
    assert page.status_code == 200 and "Unsubscribe from all emails" in page.content.decode()
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.email_notifications  # looking changes nothing
    response = client.post(url, {"scope": "all"}, follow=True)
    assert "You are unsubscribed" in response.content.decode()
    learner.learner_profile.refresh_from_db()
    assert not learner.learner_profile.email_notifications


def test_mail_clients_one_click_post_needs_no_csrf_token(learner, lesson):
    opt_in(learner)
    url = reverse("comments:unsubscribe", args=[unsubscribe_token(user=learner)])
    strict = Client(enforce_csrf_checks=True)
    assert strict.post(url, {"List-Unsubscribe": "One-Click"}).status_code == 302
    learner.learner_profile.refresh_from_db()
    assert not learner.learner_profile.email_notifications


def test_unsubscribing_from_one_lesson_mutes_only_its_thread(client, learner, lesson):
    opt_in(learner)
    url = reverse("comments:unsubscribe", args=[unsubscribe_token(user=learner, lesson=lesson)])
    client.post(url, {"scope": "lesson"})
    assert ThreadSubscription.objects.get(user=learner, lesson=lesson).is_active is False
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.email_notifications


def test_forged_token_is_refused_with_a_clear_page(client, learner):
    opt_in(learner)
    token = unsubscribe_token(user=learner)
    forged = signing.dumps({"u": learner.pk + 1, "l": None}, salt="somewhere.else")
    for bad in (token[:-2] + "xx", forged, "nonsense"):
        response = client.post(reverse("comments:unsubscribe", args=[bad]), {"scope": "all"})
        assert response.status_code == 400
        assert "This unsubscribe link does not work" in response.content.decode()
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.email_notifications


def test_expired_token_is_refused(settings, client, learner):
    token = unsubscribe_token(user=learner)
    later = signing.time.time() + settings.COMMENTS_UNSUBSCRIBE_DAYS * 86400 + 60
    with mock.patch("django.core.signing.time.time", return_value=later):
        with pytest.raises(signing.SignatureExpired):
            unsubscribe_token_read(token)
        response = client.get(reverse("comments:unsubscribe", args=[token]))
    assert response.status_code == 400


def test_token_reads_back(learner, lesson):
    assert unsubscribe_token_read(unsubscribe_token(user=learner, lesson=lesson)) == (
        learner.pk,
        lesson.pk,
    )


def test_email_not_sent_when_the_learner_turned_emails_off(learner, other_learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Q")
    comment_post(author=other_learner, lesson=lesson, body="A", parent=parent)
    notification_id = Notification.objects.get().pk
    assert notification_email_send(notification_id=notification_id) == EmailStatus.SKIPPED
    assert mail.outbox == []
