"""A lesson's field limits live on the model, and every way in refuses a value outside them with
the same message: the database, full_clean(), the content loader and the admin form."""

import json
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from courses.content import ContentError
from courses.models import Lesson, LessonLevel
from courses.services import content_load
from tests.courses.conftest import lesson_form_data
from tests.courses.factories import lesson_text

pytestmark = pytest.mark.django_db

SLUG_MESSAGE = "'Bad_Slug' is not a valid slug: use lowercase letters, digits and single hyphens"

# (field, value outside the limits, the message everywhere)
OUT_OF_LIMITS = [
    ("minutes", 0, "must be between 1 and 600, not 0"),
    ("minutes", 601, "must be between 1 and 600, not 601"),
    ("xp", -1, "must be between 0 and 1000, not -1"),
    ("xp", 1001, "must be between 0 and 1000, not 1001"),
    ("order", 1_000_001, "must be between 0 and 1000000, not 1000001"),
    ("level", 4, "unknown level 4: use 1 or 2 or 3"),
    ("title", "t" * 201, "is 201 characters long; the limit is 200"),
    ("summary", "s" * 501, "is 501 characters long; the limit is 500"),
    ("summary", "two\nlines", "must be one line"),
    ("persona", "p" * 51, "is 51 characters long; the limit is 50"),
    ("slug", "Bad_Slug", SLUG_MESSAGE),
]
IDS = [f"{field}-{str(value)[:12]!r}" for field, value, _ in OUT_OF_LIMITS]

# The limits the database itself enforces with CheckConstraints.
DATABASE_ENFORCED = [
    ("minutes", 0),
    ("minutes", 601),
    ("xp", -1),
    ("xp", 1001),
    ("order", -1),
    ("order", 1_000_001),
    ("level", 4),
    ("summary", "two\nlines"),
]


@pytest.mark.parametrize(("field", "value"), DATABASE_ENFORCED)
def test_the_database_refuses_a_lesson_outside_the_limits(course_tree, field, value):
    lesson = Lesson.objects.get(slug="first")
    with pytest.raises(IntegrityError), transaction.atomic():
        Lesson.objects.filter(pk=lesson.pk).update(**{field: value})


@pytest.mark.parametrize(("field", "value", "message"), OUT_OF_LIMITS, ids=IDS)
def test_full_clean_refuses_it_in_the_loaders_words(course_tree, field, value, message):
    lesson = Lesson.objects.get(slug="first")
    setattr(lesson, field, value)
    with pytest.raises(ValidationError) as excinfo:
        lesson.full_clean()
    assert excinfo.value.message_dict[field] == [message]


@pytest.mark.parametrize(("field", "value", "message"), OUT_OF_LIMITS, ids=IDS)
def test_the_loader_refuses_it_with_the_same_message(course_tree, field, value, message):
    path = course_tree / "course-a" / "04-bad.md"
    path.write_text(with_field(lesson_text("bad", order=4), field, value), encoding="utf-8")
    with pytest.raises(ContentError) as excinfo:
        content_load(root=course_tree)
    problems = [str(p) for p in excinfo.value.errors if p.path == "course-a/04-bad.md"]
    assert any(p.endswith(f": {field}: {message}") for p in problems), problems


@pytest.mark.parametrize(
    ("field", "value", "message"),
    # The level is a select in the form: a browser cannot send a value outside its choices.
    [case for case in OUT_OF_LIMITS if case[0] != "level"],
    ids=[i for i, case in zip(IDS, OUT_OF_LIMITS, strict=True) if case[0] != "level"],
)
def test_the_admin_form_refuses_it_with_the_same_message(
    instructor_client, course_tree, field, value, message
):
    lesson = Lesson.objects.get(slug="first")
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    response = instructor_client.post(url, lesson_form_data(lesson, **{field: value}))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors[field] == [message]


def test_the_level_has_named_choices():
    assert LessonLevel.choices == [(1, "Beginner"), (2, "Intermediate"), (3, "Advanced")]
    assert Lesson(level=2).get_level_display() == "Intermediate"


def test_a_bad_tag_is_refused_by_the_loader_and_the_tag_form_alike(admin_client, course_tree):
    message = "tag 'Bad_Tag' is not valid: use lowercase letters, digits and hyphens"
    path = course_tree / "course-a" / "04-bad.md"
    path.write_text(lesson_text("bad", order=4, tags="Bad_Tag"), encoding="utf-8")
    with pytest.raises(ContentError, match=re.escape(f"tags: {message}")):
        content_load(root=course_tree)
    response = admin_client.post(reverse("admin:courses_tag_add"), {"slug": "Bad_Tag"})
    assert response.context["adminform"].form.errors["slug"] == [message]


def with_field(text: str, field: str, value) -> str:
    """A lesson file with one front matter field set to `value` (added if it is not there)."""
    line = f"{field}: {json.dumps(value)}"  # JSON is YAML, escapes included
    pattern = re.compile(rf"^{field}: .*$", re.MULTILINE)
    if pattern.search(text):
        return pattern.sub(lambda _: line, text, count=1)
    return text.replace("\nsummary:", f"\n{line}\nsummary:", 1)
