"""One rule numbers a course's lessons: the lesson page, previous and next, the course outline,
the admin's "No." column and the admin preview all follow Lesson.position()."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Course, Lesson, Status
from tests.courses.conftest import lesson_form_data

pytestmark = pytest.mark.django_db


def position_of(slug: str):
    return Lesson.objects.get(slug=slug).position()


def outline_numbers(client, course: Course) -> list[str]:
    page = client.get(course.get_absolute_url()).content.decode()
    return re.findall(r'<span class="outline__number">([^<]*)</span>', page)


def test_the_first_lesson_has_a_next_but_no_previous(course_tree):
    position = position_of("first")
    assert (position.number, position.total) == (1, 3)
    assert position.previous is None
    assert position.next.slug == "second"


def test_a_middle_lesson_has_both_neighbours(course_tree):
    position = position_of("second")
    assert (position.number, position.total) == (2, 3)
    assert (position.previous.slug, position.next.slug) == ("first", "third")


def test_the_last_lesson_has_a_previous_but_no_next(course_tree):
    position = position_of("third")
    assert (position.number, position.total) == (3, 3)
    assert position.previous.slug == "second"
    assert position.next is None


def test_a_draft_has_no_number_and_the_others_close_ranks(admin_client, course_tree):
    Lesson.objects.filter(slug="second").update(status=Status.DRAFT)
    draft = position_of("second")
    assert (draft.number, draft.total) == (None, 2)
    assert (draft.previous.slug, draft.next.slug) == ("first", "third")
    assert position_of("third").number == 2
    assert position_of("first").next.slug == "third"
    assert outline_numbers(admin_client, Course.objects.get()) == ["01", "—", "02"]


def test_a_scheduled_lesson_has_no_number_until_its_date(admin_client, course_tree):
    Lesson.objects.filter(slug="first").update(publish_at=timezone.now() + timedelta(days=1))
    scheduled = position_of("first")
    assert (scheduled.number, scheduled.total) == (None, 2)
    assert scheduled.previous is None and scheduled.next.slug == "second"
    assert position_of("second").number == 1
    assert outline_numbers(admin_client, Course.objects.get()) == ["—", "01", "02"]


def test_lessons_of_a_draft_course_have_no_number_anywhere(admin_client, course_tree):
    Course.objects.update(status=Status.DRAFT)
    assert position_of("second").number is None
    assert outline_numbers(admin_client, Course.objects.get()) == ["—", "—", "—"]


def test_the_admin_list_numbers_lessons_as_the_site_does(instructor_client, course_tree):
    Lesson.objects.filter(slug="second").update(status=Status.DRAFT)
    rows = instructor_client.get(reverse("admin:courses_lesson_changelist")).content.decode()
    numbers = re.findall(r'<td class="field-number_label">([^<]*)</td>', rows)
    assert numbers == ["01 / 02", "—", "02 / 02"]


def test_the_preview_shows_where_an_unsaved_change_will_put_the_lesson(
    instructor_client, course_tree
):
    third = Lesson.objects.get(slug="third")
    url = reverse("admin:courses_lesson_preview", args=[third.pk])
    response = instructor_client.post(url, lesson_form_data(third, order=0))
    position = response.context["position"]
    assert (position.number, position.total, position.next.slug) == (1, 3, "first")
    assert "Lesson 01 of 3" in response.content.decode()


def test_the_preview_of_a_new_lesson_places_it_by_its_order(instructor_client, course_tree):
    Lesson.objects.filter(slug="third").update(order=10)
    data = lesson_form_data(Lesson.objects.get(slug="third"), slug="new", title="New", order=5)
    response = instructor_client.post(reverse("admin:courses_lesson_preview"), data)
    position = response.context["position"]
    assert (position.number, position.total) == (3, 4)
    assert (position.previous.slug, position.next.slug) == ("second", "third")
