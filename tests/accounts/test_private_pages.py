"""Pages with a learner's private data are never kept by a browser cache or a proxy."""

import pytest
from django.urls import reverse

from comments.notifications import unsubscribe_token

pytestmark = pytest.mark.django_db

PRIVATE = [
    "accounts:export",
    "accounts:settings",
    "accounts:delete",
    "progress:profile",
    "comments:notifications",
    "account_email",
    "account_change_password",
]


def assert_not_stored(response) -> None:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    assert {"no-store", "private"} <= directives, response.get("Cache-Control")


@pytest.mark.parametrize("name", PRIVATE)
def test_private_pages_say_no_store_private(client, learner, name):
    client.force_login(learner)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert_not_stored(response)
    assert "Cookie" in response.get("Vary", "")


def test_a_signed_in_learners_lesson_page_is_not_stored(client, learner, sample_content):
    from courses.models import Lesson

    client.force_login(learner)
    lesson = Lesson.objects.published().first()
    assert_not_stored(client.get(lesson.get_absolute_url()))


def test_the_unsubscribe_page_behind_an_emailed_link_is_not_stored(client, learner):
    url = reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(user=learner)})
    response = client.get(url)
    assert response.status_code == 200
    assert_not_stored(response)
