import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from courses.models import Lesson
from courses.services import INSTRUCTOR_GROUP, content_load
from tests.courses.factories import write_course, write_lesson


@pytest.fixture
def instructor(django_user_model):
    """A staff member whose only rights come from the Instructor group."""
    user = django_user_model.objects.create_user(
        username="ines", email="ines@example.com", password="pw-instructor-2", is_staff=True
    )
    user.groups.add(Group.objects.get(name=INSTRUCTOR_GROUP))
    return user


@pytest.fixture
def instructor_client(instructor) -> Client:
    client = Client()
    client.force_login(instructor)
    return client


@pytest.fixture
def course_tree(tmp_path) -> Path:
    """A course of three published lessons, written as files and loaded."""
    root = tmp_path / "content"
    course = write_course(root, "course-a")
    for order, slug in enumerate(["first", "second", "third"], start=1):
        write_lesson(course, slug, order=order)
    content_load(root=root)
    return root


def lesson_form_data(lesson: Lesson, **changes) -> dict:
    """What the admin's lesson form posts for `lesson` as it is, with `changes` applied."""
    publish_at = changes.pop("publish_at", lesson.publish_at)
    local = timezone.localtime(publish_at) if publish_at else None
    data = {
        "course": lesson.course_id,
        "title": lesson.title,
        "slug": lesson.slug,
        "status": lesson.status,
        "publish_at_0": local.strftime("%Y-%m-%d") if local else "",
        "publish_at_1": local.strftime("%H:%M:%S") if local else "",
        "order": lesson.order,
        "minutes": lesson.minutes,
        "level": lesson.level,
        "xp": lesson.xp,
        "language": lesson.language,
        "tags": [tag.pk for tag in lesson.tags.all()],
        "summary": lesson.summary,
        "persona": lesson.persona,
        "body_md": lesson.body_md,
        "takeaways_md": lesson.takeaways_md,
        "exercise_md": lesson.exercise_md,
        "answer_md": lesson.answer_md,
        "links": json.dumps(lesson.links),
        "reviewed": lesson.reviewed.isoformat() if lesson.reviewed else "",
    }
    data.update(changes)
    return data
