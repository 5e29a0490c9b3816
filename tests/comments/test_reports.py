import pytest
from django.core import mail
from django.urls import reverse

from comments import signals
from comments.models import BugReport, Notification, ReportStatus
from comments.services import report_file, report_status_set

pytestmark = pytest.mark.django_db


def report_url(lesson) -> str:
    return reverse("comments:report", args=[lesson.course.slug, lesson.slug])


REPORT = {"category": "typo", "description": "“teh” in the second paragraph", "passage": "teh"}


def test_every_lesson_links_to_the_report_form(client, lesson):
    page = client.get(lesson.get_absolute_url()).content.decode()
    assert "Found a bug or have feedback on this page?" in page
    assert f'href="{report_url(lesson)}"' in page


def test_anonymous_reader_files_a_report(client, lesson):
    form = client.get(report_url(lesson)).content.decode()
    for category in ("Typo", "Wrong information", "Outdated", "Broken link", "Display problem"):
        assert category in form
    response = client.post(
        report_url(lesson),
        {**REPORT, "contact_email": "reader@example.com"},
        headers={"user-agent": "TestBrowser/1.0"},
        follow=True,
    )
    assert "Thank you! Your report is on its way" in response.content.decode()
    report = BugReport.objects.get()
    assert report.lesson == lesson and report.reporter is None
    assert report.contact_email == "reader@example.com"
    assert report.page_url == f"http://testserver{lesson.get_absolute_url()}"
    assert report.user_agent == "TestBrowser/1.0"
    assert report.status == ReportStatus.NEW


def test_signed_in_reporter_is_attributed_without_an_email_field(mina, learner, lesson):
    assert 'name="contact_email"' not in mina.get(report_url(lesson)).content.decode()
    mina.post(report_url(lesson), {**REPORT, "contact_email": "ignored@example.com"})
    report = BugReport.objects.get()
    assert report.reporter == learner and report.contact_email == ""


def test_report_needs_a_category_and_description(client, lesson):
    response = client.post(report_url(lesson), {"passage": "kept passage"})
    assert response.status_code == 200
    assert response.content.decode().count('class="field__error"') == 2
    assert "kept passage" in response.content.decode()
    assert not BugReport.objects.exists()


def test_honeypot_catches_bots_quietly(client, lesson):
    response = client.post(report_url(lesson), {**REPORT, "website": "http://spam.example"})
    assert response.status_code == 302
    assert not BugReport.objects.exists()


def test_reports_are_rate_limited_with_the_text_kept(settings, client, lesson):
    settings.BUG_REPORTS_RATE_LIMIT = "2/3600"
    for _ in range(2):
        assert client.post(report_url(lesson), REPORT).status_code == 302
    response = client.post(report_url(lesson), {**REPORT, "description": "A third one"})
    assert response.status_code == 429
    assert "You have sent several reports in a short time." in response.content.decode()
    assert "A third one" in response.content.decode()
    assert BugReport.objects.count() == 2


def test_open_reports_are_new_or_confirmed(lesson):
    for status in ReportStatus:
        BugReport.objects.create(lesson=lesson, category="typo", description="x", status=status)
    assert set(BugReport.objects.open().values_list("status", flat=True)) == {"new", "confirmed"}


def test_fixing_a_report_notifies_its_signed_in_reporter_once(
    learner, lesson, django_capture_on_commit_callbacks
):
    learner.learner_profile.email_notifications = True
    learner.learner_profile.save()
    report = report_file(lesson=lesson, reporter=learner, category="typo", description="teh")
    with django_capture_on_commit_callbacks(execute=True):
        assert report_status_set(report=report, status=ReportStatus.FIXED)
        report_status_set(report=report, status=ReportStatus.CONFIRMED)
        report_status_set(report=report, status=ReportStatus.FIXED)
    notification = Notification.objects.get()
    assert notification.kind == "report_fixed" and notification.report == report
    (message,) = mail.outbox
    assert "is fixed" in message.subject and message.to == ["mina@example.com"]


def test_anonymous_reports_notify_nobody(lesson):
    report = report_file(lesson=lesson, reporter=None, category="typo", description="teh")
    report_status_set(report=report, status=ReportStatus.FIXED)
    assert not Notification.objects.exists()


def test_confirming_sends_report_confirmed_after_commit(
    learner, lesson, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, *, user, key, **kwargs):
        heard.append((user.pk, key))

    signals.report_confirmed.connect(receiver, dispatch_uid="t-confirmed")
    try:
        report = report_file(lesson=lesson, reporter=learner, category="wrong", description="x")
        with django_capture_on_commit_callbacks(execute=True):
            report_status_set(report=report, status=ReportStatus.CONFIRMED)
            report_status_set(report=report, status=ReportStatus.CONFIRMED)  # no change
    finally:
        signals.report_confirmed.disconnect(dispatch_uid="t-confirmed")
    assert heard == [(learner.pk, f"report:{report.pk}")]


def test_admin_triage_filters_assigns_and_changes_status_in_bulk(
    admin_client, admin_user, learner, lesson
):
    reports = [
        report_file(lesson=lesson, reporter=learner, category="typo", description=f"typo {n}")
        for n in range(3)
    ]
    changelist = reverse("admin:comments_bugreport_changelist")
    page = admin_client.get(changelist, {"status__exact": "new", "open": "yes"})
    assert page.status_code == 200 and "typo 2" in page.content.decode()
    admin_client.post(
        changelist,
        {"action": "mark_fixed", "_selected_action": [r.pk for r in reports[:2]]},
    )
    admin_client.post(changelist, {"action": "assign_to_me", "_selected_action": [reports[2].pk]})
    statuses = dict(BugReport.objects.values_list("pk", "status"))
    assert [statuses[r.pk] for r in reports] == ["fixed", "fixed", "new"]
    assert Notification.objects.filter(kind="report_fixed").count() == 2
    assert BugReport.objects.get(pk=reports[2].pk).assignee == admin_user
    closed = admin_client.get(changelist, {"open": "no"}).content.decode()
    assert "typo 0" in closed and "typo 2" not in closed


def test_admin_change_form_status_change_notifies(admin_client, learner, lesson):
    report = report_file(lesson=lesson, reporter=learner, category="typo", description="x")
    url = reverse("admin:comments_bugreport_change", args=[report.pk])
    assert admin_client.get(url).status_code == 200
    response = admin_client.post(url, {"status": "fixed", "assignee": "", "staff_notes": "ok"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == "fixed" and report.staff_notes == "ok"
    assert Notification.objects.filter(report=report).exists()


def test_admin_counts_open_reports_per_lesson(admin_client, lesson):
    for status in ("new", "confirmed", "fixed"):
        BugReport.objects.create(lesson=lesson, category="typo", description="x", status=status)
    page = admin_client.get(reverse("admin:comments_lessonreportsummary_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert f'lesson__id__exact={lesson.pk}&amp;open=yes">2</a>' in text
    assert f'lesson__id__exact={lesson.pk}">3</a>' in text
