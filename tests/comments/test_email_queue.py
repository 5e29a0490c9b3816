"""Notification emails as tasks on the database queue (TASKS_BACKEND=database): the request only
queues them, `manage.py db_worker` sends them, a failed send is tried again later and recorded,
and no email goes out twice, however often its task runs.

These tests commit (transaction=True) because the worker does: it looks for tasks committed by
others, and between tasks it drops a connection left inside a transaction.
"""

import logging
import smtplib
import threading
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as MemoryMailServer
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from comments.models import Comment, EmailStatus, Notification
from comments.notifications import notification_email_send
from comments.services import comment_post, comments_hide, comments_restore
from comments.tasks import notification_email_task
from tests.conftest import run_worker

pytestmark = pytest.mark.django_db(transaction=True)

HERE = "tests.comments.test_email_queue"


class BrokenMailServer(MemoryMailServer):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class SlowMailServer(MemoryMailServer):
    """Takes a while to accept each message, so that two senders overlap."""

    def send_messages(self, messages):
        time.sleep(0.5)
        return super().send_messages(messages)


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def opt_in(user) -> None:
    user.learner_profile.email_notifications = True
    user.learner_profile.save()


def reply(client, parent: Comment, body: str = "Here is the answer"):
    response = client.post(reverse("comments:reply", args=[parent.pk]), {"body": body})
    assert response.status_code == 302
    return Notification.objects.get(comment__body=body)


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY))


def make_due() -> None:
    """Bring the retries forward: the minutes they wait for have passed."""
    DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(run_after=timezone.now())


@pytest.fixture
def question(learner, lesson) -> Comment:
    opt_in(learner)
    return comment_post(author=learner, lesson=lesson, body="Question")


def test_posting_a_reply_only_queues_the_email_and_the_worker_sends_it(jun, question):
    notification = reply(jun, question)  # committed, as a real request is
    assert mail.outbox == []
    (task,) = queued()
    assert task.task_path == "comments.tasks.notification_email_task"
    assert task.args_kwargs == {"args": [], "kwargs": {"notification_id": notification.pk}}
    assert notification.email_status == EmailStatus.QUEUED

    run_worker()
    (message,) = mail.outbox
    assert message.to == ["mina@example.com"] and "Here is the answer" in message.body
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SENT and notification.emailed_at is not None
    task.refresh_from_db()
    assert (task.status, task.return_value) == (TaskResultStatus.SUCCESSFUL, "sent")
    run_worker()
    assert len(mail.outbox) == 1


def test_a_reply_that_rolls_back_queues_nothing(other_learner, lesson, question):
    with pytest.raises(RuntimeError), transaction.atomic():
        comment_post(author=other_learner, lesson=lesson, body="Never mind", parent=question)
        raise RuntimeError("the request failed after posting")
    assert queued() == [] and not Notification.objects.exists()


def test_a_failed_send_is_recorded_and_tried_again_later(settings, jun, question, caplog):
    settings.EMAIL_BACKEND = f"{HERE}.BrokenMailServer"
    notification = reply(jun, question)
    before = timezone.now()
    run_worker()
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.QUEUED
    assert notification.email_attempts == 1 and notification.emailed_at is None
    assert "SMTPServerDisconnected: Connection unexpectedly closed" in notification.email_error
    (retry,) = queued()
    assert before + timedelta(minutes=1) <= retry.run_after <= timezone.now() + timedelta(minutes=1)
    assert "try 1 of 6" in caplog.text

    run_worker()  # not due for a minute yet
    assert (queued(), len(mail.outbox)) == ([retry], 0)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    make_due()
    run_worker()
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.SENT, 2)
    assert queued() == []


def test_the_waits_grow_and_after_the_last_try_the_email_is_failed_and_shown_to_staff(
    settings, jun, question, caplog, admin_client
):
    settings.EMAIL_BACKEND = f"{HERE}.BrokenMailServer"
    settings.EMAIL_RETRY_MINUTES = [1, 5, 30]
    notification = reply(jun, question)
    waits = []
    for _ in range(3):
        start = timezone.now()
        run_worker()
        (retry,) = queued()
        waits.append(round((retry.run_after - start).total_seconds() / 60))
        make_due()
    assert waits == [1, 5, 30]
    with caplog.at_level(logging.ERROR, logger="comments.notifications"):
        run_worker()
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.FAILED, 4)
    assert queued() == [] and mail.outbox == []
    (record,) = [
        r for r in caplog.records if r.levelno == logging.ERROR and r.name.startswith("comments")
    ]
    assert "(try 4 of 4), giving up" in record.getMessage()

    failed = admin_client.get(
        reverse("admin:comments_notification_changelist"), {"email_status__exact": "failed"}
    )
    assert list(failed.context["cl"].result_list) == [notification]


def test_staff_send_a_failed_email_again(settings, jun, question, admin_client):
    settings.EMAIL_BACKEND = f"{HERE}.BrokenMailServer"
    settings.EMAIL_RETRY_MINUTES = []
    notification = reply(jun, question)
    run_worker()
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.FAILED

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    admin_client.post(
        reverse("admin:comments_notification_changelist"),
        {"action": "email_again", "_selected_action": [notification.pk]},
    )
    notification.refresh_from_db()
    assert (notification.email_status, notification.email_attempts) == (EmailStatus.QUEUED, 0)
    run_worker()
    assert len(mail.outbox) == 1
    # Sent is final: asking again queues nothing.
    admin_client.post(
        reverse("admin:comments_notification_changelist"),
        {"action": "email_again", "_selected_action": [notification.pk]},
    )
    assert queued() == []


def test_the_task_run_twice_sends_one_email(jun, question):
    notification = reply(jun, question)
    notification_email_task.enqueue(notification_id=notification.pk)  # a duplicate
    assert len(queued()) == 2
    run_worker()
    assert len(mail.outbox) == 1
    assert notification_email_task.call(notification_id=notification.pk) == "sent"
    assert len(mail.outbox) == 1


@pytest.mark.postgres
def test_two_workers_racing_for_one_email_send_it_once(settings, jun, question):
    settings.EMAIL_BACKEND = f"{HERE}.SlowMailServer"
    notification = reply(jun, question)
    start = threading.Barrier(2)
    outcomes = []

    def worker() -> None:
        try:
            start.wait()
            outcomes.append(notification_email_send(notification_id=notification.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # The second waited for the first's lock, then found the email sent.
    assert outcomes == [EmailStatus.SENT, EmailStatus.SENT]
    assert len(mail.outbox) == 1


def test_a_reply_hidden_before_the_worker_runs_sends_nothing(jun, question):
    notification = reply(jun, question, body="Something rude")
    comments_hide(comments=Comment.objects.filter(pk=notification.comment_id))
    run_worker()
    assert mail.outbox == []
    notification.refresh_from_db()
    assert notification.email_status == EmailStatus.SKIPPED
    # Restored later, it stays unsent: its task has run, and nothing queues another.
    comments_restore(comments=Comment.objects.filter(pk=notification.comment_id))
    run_worker()
    assert mail.outbox == []


def test_a_reply_deleted_before_the_worker_runs_sends_nothing(jun, question):
    notification = reply(jun, question, body="Oops, wrong thread")
    jun.post(reverse("comments:delete", args=[notification.comment_id]))
    assert not Notification.objects.exists()
    run_worker()
    assert mail.outbox == []
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
