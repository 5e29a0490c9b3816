import pytest
from django.test import Client

from courses.models import Course, Lesson, Status
from tests.conftest import learner_make


@pytest.fixture
def lesson(db) -> Lesson:
    """A small published lesson, enough for a thread."""
    course = Course.objects.create(slug="course-a", title="Course A", status=Status.PUBLISHED)
    return Lesson.objects.create(
        course=course,
        slug="first-lesson",
        title="First lesson",
        order=1,
        status=Status.PUBLISHED,
        body_md="Some text.",
    )


@pytest.fixture
def other_learner(db):
    """A second learner, to reply to the first one."""
    return learner_make("jun", "jun@example.com", "learner-pass-43", "Jun")


@pytest.fixture
def mina(client, learner) -> Client:
    """The `learner` fixture, signed in on `client`."""
    client.force_login(learner)
    return client


@pytest.fixture
def jun(other_learner) -> Client:
    browser = Client()
    browser.force_login(other_learner)
    return browser


def make_thread(lesson, authors, size: int) -> list:
    """`size` comments on `lesson`, written in bulk: a third start threads, the rest reply
    to the comment before them (so replies nest, some of them deeply)."""
    from comments.models import Comment

    comments = []
    for number in range(size):
        parent = comments[-1] if number % 3 else None
        comment = Comment(
            lesson=lesson,
            author=authors[number % len(authors)],
            parent=parent,
            body=f"Comment number {number}",
            body_html=f"<p>Comment number {number}</p>",
        )
        # One row at a time: the parent's id is needed for the next one.
        Comment.objects.bulk_create([comment])
        comments.append(comment)
    return comments
