"""Freshness: the "may be out of date" note, the instructors' list by staleness, and marking
lessons reviewed, which answers readers' "outdated" reports."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import BugReport, Notification, ReportCategory, ReportStatus
from comments.services import report_file, report_status_set
from courses.models import Course, Lesson, Status
from courses.services import INSTRUCTOR_GROUP
from progress.models import Completion
from tests.conftest import learner_make
from tests.courses.conftest import lesson_form_data

pytestmark = pytest.mark.django_db

NOTE = "Some readers reported this may be out of date — we're checking."


@pytest.fixture
def instructor_client(django_user_model) -> Client:
    """Staff whose only rights come from the Instructor group."""
    user = django_user_model.objects.create_user(
        username="ines", email="ines@example.com", password="pw-instructor-2", is_staff=True
    )
    user.groups.add(Group.objects.get(name=INSTRUCTOR_GROUP))
    client = Client()
    client.force_login(user)
    return client


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def outdated(lesson, reporter=None, **fields) -> BugReport:
    return report_file(
        lesson=lesson,
        reporter=reporter,
        category=ReportCategory.OUTDATED,
        description="The model names changed since.",
        **fields,
    )


# --- The note on the lesson page --------------------------------------------------------------


def test_filing_an_outdated_report_shows_the_note_on_the_next_cached_request(
    client, lesson, django_capture_on_commit_callbacks
):
    assert NOTE not in text_of(client.get(lesson.get_absolute_url()))  # now in the page cache
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("comments:report", args=[lesson.course.slug, lesson.slug]),
            {"category": "outdated", "description": "This tool was renamed last month."},
        )
    assert response.status_code == 302
    page = Client().get(lesson.get_absolute_url())
    assert NOTE in text_of(page)
    # And the page with the note is what the cache serves from now on.
    assert Client().get(lesson.get_absolute_url()).content == page.content


def test_closing_the_last_outdated_report_takes_the_note_away(
    client, lesson, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first, second = outdated(lesson), outdated(lesson)
    assert NOTE in text_of(client.get(lesson.get_absolute_url()))
    with django_capture_on_commit_callbacks(execute=True):
        report_status_set(report=first, status=ReportStatus.WONTFIX)
    assert NOTE in text_of(client.get(lesson.get_absolute_url()))  # one is still open
    with django_capture_on_commit_callbacks(execute=True):
        report_status_set(report=second, status=ReportStatus.DUPLICATE)
    assert NOTE not in text_of(client.get(lesson.get_absolute_url()))


def test_other_kinds_of_report_show_no_note(client, lesson, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report_file(lesson=lesson, reporter=None, category="typo", description="teh")
    assert NOTE not in text_of(client.get(lesson.get_absolute_url()))


def test_signed_in_readers_see_the_note_too(mina, lesson, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outdated(lesson)
    assert NOTE in text_of(mina.get(lesson.get_absolute_url()))


# --- Marking reviewed ---------------------------------------------------------------------------


def freshness_url() -> str:
    return reverse("admin:comments_lessonfreshness_changelist")


def mark_reviewed(client, *lessons):
    return client.post(
        freshness_url(),
        {"action": "mark_reviewed", "_selected_action": [lesson.pk for lesson in lessons]},
        follow=True,
    )


def test_marking_reviewed_closes_outdated_reports_and_tells_the_reporters(
    instructor_client, lesson, learner, other_learner, django_capture_on_commit_callbacks
):
    learner.learner_profile.email_notifications = True
    learner.learner_profile.save()
    signed_in = outdated(lesson, reporter=learner)
    anonymous = outdated(lesson, contact_email="reader@example.com")
    typo = report_file(lesson=lesson, reporter=other_learner, category="typo", description="x")
    assert NOTE in text_of(Client().get(lesson.get_absolute_url()))

    with django_capture_on_commit_callbacks(execute=True):
        response = mark_reviewed(instructor_client, lesson)
    assert "1 lesson marked reviewed today." in text_of(response)
    assert "2 “outdated” reports closed as fixed; their reporters were told." in text_of(response)

    lesson.refresh_from_db()
    assert lesson.reviewed == timezone.localdate()
    assert any("reviewed" in revision.changed_fields for revision in lesson.revisions.all())
    statuses = dict(BugReport.objects.values_list("pk", "status"))
    assert statuses == {
        signed_in.pk: ReportStatus.FIXED,
        anonymous.pk: ReportStatus.FIXED,
        typo.pk: ReportStatus.NEW,
    }
    # The reporter with an account hears of it as of any fixed report: in the app and by email.
    notification = Notification.objects.get()
    assert notification.recipient == learner and notification.report == signed_in
    assert notification.kind == "report_fixed"
    (message,) = mail.outbox
    assert "is fixed" in message.subject and message.to == [learner.email]
    page = text_of(Client().get(lesson.get_absolute_url()))
    assert NOTE not in page
    assert f'datetime="{timezone.localdate().isoformat()}"' in page


def test_a_newer_review_date_saved_in_the_lesson_form_closes_reports_filed_up_to_it(
    instructor_client, lesson, learner
):
    # What the form requires of every lesson.
    lesson.summary, lesson.takeaways_md, lesson.exercise_md = "In short.", "- One.", "Try."
    lesson.save()
    old = outdated(lesson, reporter=learner)
    old.created_at = timezone.now() - timedelta(days=10)
    old.save()
    recent = outdated(lesson)
    day = timezone.localdate() - timedelta(days=5)

    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, reviewed=day.isoformat()),
    )
    assert response.status_code == 302
    old.refresh_from_db(), recent.refresh_from_db()
    # Filed after the check, the recent report may be about what the check missed.
    assert (old.status, recent.status) == (ReportStatus.FIXED, ReportStatus.NEW)
    assert Notification.objects.filter(recipient=learner, report=old).exists()

    # Saving the form again with the same date is no new review.
    older = outdated(lesson)
    older.created_at = timezone.now() - timedelta(days=20)
    older.save()
    lesson.refresh_from_db()
    instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, title="A better title"),
    )
    older.refresh_from_db()
    assert older.status == ReportStatus.NEW


def test_a_learner_cannot_mark_lessons_reviewed(client, learner, lesson):
    client.force_login(learner)
    outdated(lesson)
    response = mark_reviewed(client, lesson)
    assert response.redirect_chain[0][0].startswith(reverse("admin:login"))
    assert BugReport.objects.get().status == ReportStatus.NEW


# --- The list by staleness ----------------------------------------------------------------------


@pytest.fixture
def course(db) -> Course:
    return Course.objects.create(slug="course-f", title="Course F", status=Status.PUBLISHED)


def make_lesson(course, order: int, *, reviewed: date | None) -> Lesson:
    return Lesson.objects.create(
        course=course,
        slug=f"lesson-{order}",
        title=f"Lesson {order}",
        order=order,
        status=Status.PUBLISHED,
        reviewed=reviewed,
    )


def listed_titles(client, **params) -> list[str]:
    response = client.get(freshness_url(), params)
    assert response.status_code == 200
    return [lesson.title for lesson in response.context["cl"].result_list]


def readers(lesson, count: int, start: int = 0) -> None:
    for number in range(start, start + count):
        user = learner_make(f"r{number}", f"r{number}@example.com", "pw-reader-1", f"R{number}")
        Completion.objects.create(user=user, lesson=lesson, completed_at=timezone.now())


def test_the_list_puts_the_oldest_review_first(instructor_client, course):
    today = timezone.localdate()
    make_lesson(course, 1, reviewed=today - timedelta(days=30))
    make_lesson(course, 2, reviewed=today - timedelta(days=400))
    make_lesson(course, 3, reviewed=None)  # created today: its last change is today
    make_lesson(course, 4, reviewed=today - timedelta(days=90))
    assert listed_titles(instructor_client) == ["Lesson 2", "Lesson 4", "Lesson 1", "Lesson 3"]
    page = text_of(instructor_client.get(freshness_url()))
    assert f'{today.isoformat()} <span class="freshness-from-edit">(last edit)</span>' in page


def test_the_list_sorts_by_open_outdated_reports_and_by_problems_per_reader(
    instructor_client, course
):
    day = timezone.localdate() - timedelta(days=10)
    quiet, outdated_twice, many_problems = (make_lesson(course, n, reviewed=day) for n in (1, 2, 3))
    outdated(outdated_twice), outdated(outdated_twice)
    closed = outdated(quiet)
    report_status_set(report=closed, status=ReportStatus.FIXED)  # closed: not open any more
    for _ in range(3):
        report_file(lesson=many_problems, reporter=None, category="typo", description="x")
    readers(quiet, 4)  # 1 problem per 4 readers: 25.0
    readers(outdated_twice, 10, start=10)  # 2 per 10: 20.0
    readers(many_problems, 2, start=30)  # 3 per 2: 150.0

    # Columns: 1 lesson, 2 reviewed, 3 open outdated, 4 problems per 100, 5 readers, 6 course.
    by_outdated = listed_titles(instructor_client, o="-3")
    assert by_outdated[0] == "Lesson 2"
    assert listed_titles(instructor_client, o="-4") == ["Lesson 3", "Lesson 1", "Lesson 2"]
    page = text_of(instructor_client.get(freshness_url(), {"o": "-4"}))
    for rate in ("150.0", "25.0", "20.0"):
        assert f'<td class="field-problem_rate">{rate}</td>' in page
    # Same review day everywhere: the default order weighs open outdated reports next.
    assert listed_titles(instructor_client)[0] == "Lesson 2"


def test_a_lesson_with_reports_but_no_readers_yet_shows_no_rate(instructor_client, course):
    lesson = make_lesson(course, 1, reviewed=None)
    report_file(lesson=lesson, reporter=None, category="typo", description="x")
    page = text_of(instructor_client.get(freshness_url()))
    assert '<td class="field-problem_rate">—</td>' in page
    assert '<td class="field-reader_count">0</td>' in page


def test_archived_lessons_are_not_listed(instructor_client, course):
    make_lesson(course, 1, reviewed=None)
    archived = make_lesson(course, 2, reviewed=None)
    Lesson.objects.filter(pk=archived.pk).update(status=Status.ARCHIVED)
    assert listed_titles(instructor_client) == ["Lesson 1"]
