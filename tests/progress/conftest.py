import pytest

from courses.models import Lesson


@pytest.fixture
def lessons(sample_content) -> list[Lesson]:
    """The published sample lessons, in course and lesson order."""
    return list(
        Lesson.objects.published().select_related("course").order_by("course__order", "order")
    )


@pytest.fixture
def signed_in(client, learner):
    client.force_login(learner)
    return client
