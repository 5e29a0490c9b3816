import re
import smtplib
from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.conftest import run_worker

pytestmark = pytest.mark.django_db

LESSON = "/courses/generative-media/how-diffusion-works/"


def signup(
    client, *, email="new@example.com", name="Jun", next_url=LESSON, password="sturdy-pass-77"
):
    return client.post(
        f"/accounts/signup/?next={next_url}",
        {
            "display_name": name,
            "email": email,
            "password1": password,
            "password2": password,
            "next": next_url,
        },
    )


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S+)", message.body).group(1)


def test_signup_sends_verification_and_returns_to_the_page(
    client, sample_content, django_user_model
):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == LESSON
    user = django_user_model.objects.get(email="new@example.com")
    assert user.learner_profile.display_name == "Jun"
    assert len(mail.outbox) == 1
    assert "new@example.com" in mail.outbox[0].to

    confirm = link_in(mail.outbox[0])
    assert client.post(confirm).status_code == 302
    assert EmailAddress.objects.get(email="new@example.com").verified


def test_signup_refuses_an_email_as_display_name(client, django_user_model):
    response = signup(client, name="jun@example.com")
    assert response.status_code == 200
    assert "Use a name, not an email address" in response.content.decode()
    assert not django_user_model.objects.filter(email="new@example.com").exists()


def test_login_returns_to_the_page_it_came_from(client, learner, sample_content):
    response = client.post(
        f"/accounts/login/?next={LESSON}",
        {"login": "mina@example.com", "password": "learner-pass-42", "next": LESSON},
    )
    assert response.status_code == 302
    assert response["Location"] == LESSON
    assert "Mina" in client.get(LESSON).content.decode()


def test_wrong_password_says_so_and_signs_nobody_in(client, learner):
    response = client.post("/accounts/login/", {"login": "mina@example.com", "password": "nope"})
    assert response.status_code == 200
    assert (
        "The email address and/or password you specified are not correct."
        in response.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_repeated_failed_logins_are_rate_limited(client, learner):
    for _ in range(5):
        client.post("/accounts/login/", {"login": "mina@example.com", "password": "nope"})
    response = client.post(
        "/accounts/login/", {"login": "mina@example.com", "password": "learner-pass-42"}
    )
    assert "_auth_user_id" not in client.session
    assert "Too many failed login attempts" in response.content.decode()


def test_admin_login_goes_through_allauth(client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_mandatory_verification_blocks_login_until_verified(client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    signup(client)
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"login": "new@example.com", "password": "sturdy-pass-77"}
    )
    assert "_auth_user_id" not in client.session
    assert response["Location"] == "/accounts/confirm-email/"


def test_password_reset_by_email(client, learner):
    client.post("/accounts/password/reset/", {"email": "mina@example.com"})
    assert len(mail.outbox) == 1
    reset_link = link_in(mail.outbox[0])
    form_page = client.get(reset_link, follow=True)
    action = form_page.redirect_chain[-1][0] if form_page.redirect_chain else reset_link
    response = client.post(
        action, {"password1": "brand-new-pass-5", "password2": "brand-new-pass-5"}
    )
    assert response.status_code == 302
    client.logout()
    client.post("/accounts/login/", {"login": "mina@example.com", "password": "brand-new-pass-5"})
    assert client.session["_auth_user_id"] == str(learner.pk)


def test_settings_change_display_name_and_preferences(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/settings/",
        {
            "display_name": "  Mina   Park ",
            "language": "ko",
            "time_zone": "Europe/Berlin",
            "email_notifications": "on",
        },
    )
    assert response.status_code == 302
    learner.learner_profile.refresh_from_db()
    profile = learner.learner_profile
    assert (profile.display_name, profile.language, profile.time_zone) == (
        "Mina Park",
        "ko",
        "Europe/Berlin",
    )
    assert profile.email_notifications is True


def test_settings_reject_unknown_time_zone_with_a_form_error(client, learner):
    client.force_login(learner)
    response = client.post(
        "/accounts/settings/", {"display_name": "Mina", "language": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "field__error" in response.content.decode()
    learner.learner_profile.refresh_from_db()
    assert learner.learner_profile.time_zone == "Asia/Seoul"


def test_account_pages_need_sign_in(client):
    for url in ("/accounts/settings/", "/accounts/export/", "/accounts/delete/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")


# --- allauth's emails on the database queue (TASKS_BACKEND=database) ---------------------------
# Committed (transaction=True) because the worker only takes tasks that others committed.


class BrokenMailServer(BaseEmailBackend):
    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def queued() -> list[DBTaskResult]:
    return list(DBTaskResult.objects.filter(status=TaskResultStatus.READY))


@pytest.mark.django_db(transaction=True)
def test_signup_only_queues_the_confirmation_and_the_worker_sends_it(client, database_queue):
    assert signup(client).status_code == 302
    assert mail.outbox == []
    (task,) = queued()
    assert task.task_path == "accounts.adapter.account_email_task"
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["new@example.com"]
    client.post(link_in(message))
    assert EmailAddress.objects.get(email="new@example.com").verified


@pytest.mark.django_db(transaction=True)
def test_a_password_reset_email_that_fails_is_sent_on_a_later_try(
    client, learner, database_queue, settings
):
    settings.EMAIL_BACKEND = "tests.accounts.test_accounts.BrokenMailServer"
    client.post("/accounts/password/reset/", {"email": "mina@example.com"})
    before = timezone.now()
    run_worker()
    (retry,) = queued()
    assert retry.args_kwargs["kwargs"]["attempt"] == 2
    assert before + timedelta(minutes=1) <= retry.run_after <= timezone.now() + timedelta(minutes=1)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    DBTaskResult.objects.filter(pk=retry.pk).update(run_after=timezone.now())
    run_worker()
    (message,) = mail.outbox
    assert message.to == ["mina@example.com"]
    assert client.get(link_in(message), follow=True).status_code == 200
    assert queued() == []


@pytest.mark.django_db(transaction=True)
def test_an_account_email_given_up_on_stays_in_the_queue_as_failed(
    client, learner, database_queue, settings, caplog
):
    settings.EMAIL_BACKEND = "tests.accounts.test_accounts.BrokenMailServer"
    settings.EMAIL_RETRY_MINUTES = []
    client.post("/accounts/password/reset/", {"email": "mina@example.com"})
    run_worker()
    task = DBTaskResult.objects.get()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == "smtplib.SMTPServerDisconnected"
    assert "(try 1 of 1), giving up" in caplog.text
    assert "mina@example.com" not in caplog.text
