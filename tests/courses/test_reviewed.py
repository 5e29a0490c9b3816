"""A lesson's `reviewed` date: in its file, in admin, in an export, and on its page."""

import io
import re
from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from courses.content import ContentError
from courses.models import Lesson
from courses.services import content_load
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import lesson_text

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


def with_reviewed(text: str, value: str) -> str:
    return text.replace("status: published\n", f"status: published\nreviewed: {value}\n", 1)


def write_reviewed(course_tree, slug: str, order: int, value: str):
    path = course_tree / "course-a" / f"{order:02d}-{slug}.md"
    path.write_text(with_reviewed(lesson_text(slug, order=order), value), encoding="utf-8")
    return path


def test_a_reviewed_date_in_front_matter_is_loaded_and_shown_on_the_page(client, course_tree):
    write_reviewed(course_tree, "first", 1, "2026-11-03")
    content_load(root=course_tree)
    lesson = Lesson.objects.get(slug="first")
    assert lesson.reviewed == date(2026, 11, 3)
    page = text_of(client.get(lesson.get_absolute_url()))
    reviewed = '<time class="lesson__reviewed" datetime="2026-11-03">Reviewed 3 Nov 2026</time>'
    assert reviewed in page


def test_without_a_reviewed_date_the_page_shows_the_day_of_the_last_change(client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    assert lesson.reviewed is None
    today = timezone.localdate(lesson.loaded_at)
    page = text_of(client.get(lesson.get_absolute_url()))
    assert f'datetime="{today.isoformat()}"' in page
    assert f"Reviewed {today.day} {today:%b %Y}" in page
    assert Lesson.objects.with_review_date().get(pk=lesson.pk).review_date == today


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "soon",
            "course-a/01-first.md:9: reviewed: 'soon' is not a date: write it like 2026-11-03",
        ),
        (
            "2026-11-03 10:00:00",
            "course-a/01-first.md:9: reviewed: 2026-11-03 10:00:00 has a time: write only the "
            "day, like 2026-11-03",
        ),
        (
            "2026-02-30",
            "course-a/01-first.md:9: broken YAML in the front matter: cannot read this value: "
            "day is out of range for month",
        ),
    ],
)
def test_a_bad_reviewed_date_names_the_file_and_line(course_tree, value, message):
    write_reviewed(course_tree, "first", 1, value)
    with pytest.raises(ContentError) as excinfo:
        content_load(root=course_tree)
    assert message in str(excinfo.value)


def test_a_reviewed_date_in_the_future_is_refused(course_tree):
    tomorrow = timezone.localdate() + timedelta(days=1)
    write_reviewed(course_tree, "first", 1, tomorrow.isoformat())
    with pytest.raises(ContentError) as excinfo:
        content_load(root=course_tree)
    assert (
        f"course-a/01-first.md:9: reviewed: {tomorrow.isoformat()} is in the future: give the day "
        "the lesson was last checked"
    ) in str(excinfo.value)


def test_export_writes_the_reviewed_date_back_and_loading_it_changes_nothing(
    instructor_client, course_tree, tmp_path
):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, reviewed="2026-10-01"),
    )
    assert response.status_code == 302
    assert Lesson.objects.get(pk=lesson.pk).reviewed == date(2026, 10, 1)

    call_command("export_content", str(course_tree), "--force", stdout=io.StringIO())
    written = (course_tree / "course-a" / "01-first.md").read_text(encoding="utf-8")
    assert "\nreviewed: 2026-10-01\n" in written
    # Left out where there is none, as the loader's default is the same.
    assert "reviewed:" not in (course_tree / "course-a" / "02-second.md").read_text()

    out = io.StringIO()
    call_command("load_content", str(course_tree), stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
    assert Lesson.objects.get(pk=lesson.pk).reviewed == date(2026, 10, 1)


def test_the_admin_form_refuses_a_review_in_the_future(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    tomorrow = timezone.localdate() + timedelta(days=1)
    response = instructor_client.post(
        reverse("admin:courses_lesson_change", args=[lesson.pk]),
        lesson_form_data(lesson, reviewed=tomorrow.isoformat()),
    )
    assert response.status_code == 200
    assert "is in the future" in str(response.context["adminform"].form.errors["reviewed"])
    assert Lesson.objects.get(pk=lesson.pk).reviewed is None
