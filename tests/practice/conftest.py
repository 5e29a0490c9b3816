import pytest

from courses.models import Check, Lesson


@pytest.fixture
def checked_lesson(sample_content) -> Lesson:
    """The first sample lesson, whose body holds knowledge checks and whose exercise has a
    model answer (content/generative-media/01-…)."""
    return Lesson.objects.select_related("course").get(slug="why-it-changes-so-fast")


def right_of(check: Check) -> list[int]:
    return [i for i, option in enumerate(check.options) if option["correct"]]


def wrong_of(check: Check) -> list[int]:
    return [next(i for i, option in enumerate(check.options) if not option["correct"])]
