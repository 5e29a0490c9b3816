"""Signed-in pages served from a shell shared by all members, each reader's parts drawn in
(lessons.caching.shells): every reader still sees only their own page, and their own changes
at once."""

import itertools
import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import LearnerProfile
from progress.services import lesson_complete
from tests.conftest import learner_make


def visible_text(response) -> str:
    html = response.content.decode()
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


@pytest.fixture
def readers(db, lessons):
    mina = learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")
    jun = learner_make("jun", "jun@example.com", "learner-pass-42", "Jun")
    lesson_complete(user=mina, lesson=lessons[0])
    browsers = {"anonymous": Client()}
    for name, user in (("mina", mina), ("jun", jun)):
        browsers[name] = Client()
        browsers[name].force_login(user)
    return browsers


@pytest.mark.parametrize("order", list(itertools.permutations(["mina", "jun", "anonymous"])))
def test_each_reader_gets_their_own_course_page_in_any_order(order, readers, lessons):
    url = lessons[0].course.get_absolute_url()
    for name in [*order, *order]:  # the second round is served from the shell and kept parts
        page = visible_text(readers[name].get(url))
        if name == "mina":
            assert "Mina" in page and "Jun" not in page
            assert "Continue: Lesson 2" in page
            assert re.search(r"\b1 ?/ ?\d+ lessons done", page), page
        elif name == "jun":
            assert "Jun" in page and "Mina" not in page
            assert "Start the course" in page
        else:
            assert "Mina" not in page and "Jun" not in page and "Sign in" in page


@pytest.mark.parametrize("order", list(itertools.permutations(["mina", "jun", "anonymous"])))
def test_each_reader_gets_their_own_lesson_page_in_any_order(order, readers, lessons):
    url = lessons[0].get_absolute_url()
    for name in [*order, *order]:
        page = visible_text(readers[name].get(url))
        assert ("Completed on" in page) is (name == "mina"), name
        assert ("Mark complete" in page) is (name != "mina"), name
        assert ("Mina" in page) is (name == "mina"), name
        assert ("Jun" in page) is (name == "jun"), name


def test_a_page_from_the_shell_carries_the_readers_own_working_csrf_token(readers, lessons):
    lesson = lessons[1]
    readers["mina"].get(lesson.get_absolute_url())  # the shell is made on Mina's visit
    jun = Client(enforce_csrf_checks=True)
    jun.force_login(LearnerProfile.objects.get(display_name="Jun").user)
    html = jun.get(lesson.get_absolute_url()).content.decode()
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
    assert len(tokens) == 1 and "Placeholder" not in next(iter(tokens))
    response = jun.post(
        reverse("progress:complete", args=[lesson.id]), {"csrfmiddlewaretoken": tokens.pop()}
    )
    assert response.status_code in (200, 302)
    assert "Completed on" in visible_text(jun.get(lesson.get_absolute_url()))


def test_a_readers_own_change_shows_on_their_next_page(readers, lessons):
    url = lessons[2].get_absolute_url()
    mina = readers["mina"]
    assert "Reply notifications: off" in visible_text(mina.get(url))
    mina.post(
        reverse("comments:thread-notifications", args=[lessons[2].course.slug, lessons[2].slug]),
        {"notify": "on"},
    )
    assert "Reply notifications: on" in visible_text(mina.get(url))


def test_a_name_changed_in_admin_shows_on_the_learners_next_page(readers, lessons):
    url = lessons[0].course.get_absolute_url()
    assert "Mina" in visible_text(readers["mina"].get(url))
    profile = LearnerProfile.objects.get(display_name="Mina")
    profile.display_name = "Mina K."
    profile.save()
    assert "Mina K." in visible_text(readers["mina"].get(url))


def test_progress_page_follows_a_completion_made_elsewhere(readers, lessons):
    mina = readers["mina"]
    before = visible_text(mina.get(reverse("progress:profile")))
    user = LearnerProfile.objects.get(display_name="Mina").user
    lesson_complete(user=user, lesson=lessons[1])  # e.g. merged from another device
    after = visible_text(mina.get(reverse("progress:profile")))
    assert f"Completed “{lessons[1].title}”" in after
    assert f"Completed “{lessons[1].title}”" not in before
