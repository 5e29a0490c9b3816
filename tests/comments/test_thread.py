import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.template import Context, Template
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from comments import rules
from comments.models import Comment, Moderation
from comments.services import comment_delete, comment_post
from comments.threads import THREADS_PER_PAGE
from tests.comments.conftest import make_thread

pytestmark = pytest.mark.django_db


def text_of(response) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@dataclass
class Node:
    id: int
    parent_id: int | None
    is_shown: bool = True


def test_thread_shows_replies_after_their_parent_oldest_first():
    nodes = [Node(1, None), Node(2, None), Node(3, 1), Node(4, 3), Node(5, 1), Node(6, 2)]
    entries = rules.thread_entries(nodes)
    assert [(e.comment.id, e.depth) for e in entries] == [
        (1, 0), (3, 1), (4, 2), (5, 1), (2, 0), (6, 1),
    ]  # fmt: skip


def test_gone_comments_stay_only_as_placeholders_for_their_replies():
    nodes = [Node(1, None, is_shown=False), Node(2, 1), Node(3, None, is_shown=False)]
    entries = rules.thread_entries(nodes)
    assert [e.comment.id for e in entries] == [1, 2]
    assert rules.shown_count(nodes) == 1


def test_deep_threads_cap_indentation_and_name_the_parent():
    nodes = [Node(1, None)] + [Node(n, n - 1) for n in range(2, 3001)]
    entries = rules.thread_entries(nodes)  # iterative: no recursion limit at any depth
    assert [e.comment.id for e in entries] == list(range(1, 3001))
    assert entries[-1].depth == 2999
    assert entries[-1].indent == rules.MAX_INDENT and entries[-1].beyond_indent
    assert entries[-1].parent.id == 2999
    assert not entries[rules.MAX_INDENT].beyond_indent


def test_long_threads_fold_after_their_first_replies():
    nodes = [Node(1, None), Node(2, 1), Node(3, 2), Node(4, 1), Node(5, 1), Node(6, 1)]
    nodes += [Node(7, None), Node(8, 7)]
    kept = rules.fold(rules.thread_entries(nodes), shown=3)
    assert [e.comment.id for e in kept] == [1, 2, 3, 4, 7, 8]
    assert [(e.comment.id, e.folded, e.replies) for e in kept if e.folded] == [(4, 2, 5)]
    assert {e.root_id for e in kept} == {1, 7}


def test_lesson_shows_empty_state_and_sign_in_link_back_to_the_thread(client, lesson):
    page = text_of(client.get(lesson.get_absolute_url()))
    assert "Comments 0" in page
    assert "No comments yet." in page
    next_url = f"{lesson.get_absolute_url()}%23comments"
    assert f'href="{reverse("account_login")}?next={next_url}"' in page
    assert 'name="body"' not in page


def test_sign_in_from_the_thread_returns_to_it(client, learner, lesson):
    response = client.post(
        f"{reverse('account_login')}?next={lesson.get_absolute_url()}%23comments",
        {"login": "mina@example.com", "password": "learner-pass-42"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.get_absolute_url()}#comments"


def test_thread_shows_names_never_emails_and_deleted_users(client, learner, other_learner, lesson):
    first = comment_post(author=learner, lesson=lesson, body="Why **this** step?")
    comment_post(author=other_learner, lesson=lesson, body="Because.", parent=first)
    other_learner.delete()
    page = text_of(client.get(lesson.get_absolute_url()))
    assert "Comments 2" in page
    assert "Mina" in page and "deleted user" in page
    assert "<strong>this</strong>" in page
    assert "@example.com" not in page


def test_deleted_comment_with_replies_leaves_a_placeholder(client, learner, other_learner, lesson):
    first = comment_post(author=learner, lesson=lesson, body="Original question")
    comment_post(author=other_learner, lesson=lesson, body="An answer", parent=first)
    lonely = comment_post(author=learner, lesson=lesson, body="Nobody answered me")
    comment_delete(comment=first)
    comment_delete(comment=lonely)
    page = text_of(client.get(lesson.get_absolute_url()))
    assert "This comment was deleted." in page
    assert page.count("This comment was deleted.") == 1
    assert "Original question" not in page and "Nobody answered me" not in page
    assert "An answer" in page
    assert "Comments 1" in page


def test_anonymous_thread_is_the_same_for_every_reader(client, learner, lesson):
    comment_post(author=learner, lesson=lesson, body="Hello")
    first = client.get(lesson.get_absolute_url()).content.decode()
    section = first[first.index('id="comments"') :]
    assert "csrfmiddlewaretoken" not in section


def render_thread(lesson, user) -> str:
    request = RequestFactory().get(lesson.get_absolute_url())
    request.user = user
    template = Template("{% load discussion %}{% lesson_discussion lesson %}")
    return template.render(Context({"request": request, "lesson": lesson}))


def on_the_lesson_page(size: int) -> int:
    """How many of make_thread's `size` comments the lesson page shows: the newest
    THREADS_PER_PAGE threads (make_thread starts one every third comment)."""
    threads = -(-size // 3)
    older = max(0, threads - THREADS_PER_PAGE)
    return size - 3 * older


@pytest.mark.parametrize("size", [0, 10, 200])
def test_thread_is_two_queries_once_then_none_for_readers_whatever_its_size(
    size, lesson, learner, other_learner, django_assert_max_num_queries, django_assert_num_queries
):
    make_thread(lesson, [learner, other_learner], size)
    lesson = type(lesson).objects.select_related("course").get(pk=lesson.pk)
    with django_assert_max_num_queries(2):
        html = render_thread(lesson, AnonymousUser())
    assert html.count('class="comment ') == on_the_lesson_page(size)
    with django_assert_num_queries(0):
        assert render_thread(lesson, AnonymousUser()) == html


@pytest.mark.parametrize("size", [0, 10, 200])
def test_thread_is_one_query_for_a_signed_in_learner_whatever_its_size(
    size, lesson, learner, other_learner, django_assert_max_num_queries, django_assert_num_queries
):
    make_thread(lesson, [learner, other_learner], size)
    lesson = type(lesson).objects.select_related("course").get(pk=lesson.pk)
    with django_assert_max_num_queries(4):
        render_thread(lesson, learner)
    with django_assert_num_queries(1):  # their flags and reply-notification choice
        html = render_thread(lesson, learner)
    assert html.count(">Reply</a>") == on_the_lesson_page(size)


def queries_for_page(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_whole_lesson_page_costs_the_same_for_0_10_and_200_comments(
    client, learner, other_learner, lesson, django_user_model
):
    url = lesson.get_absolute_url()
    reader = django_user_model.objects.create_user(username="r", email="r@example.com")
    signed_in = type(client)()
    signed_in.force_login(reader)
    counts = {"anonymous": [], "signed in": []}
    client.get(url), signed_in.get(url)  # warm up: sessions, first-visit announcements
    for size in (0, 10, 190):  # 0, then 10, then 200 in all
        make_thread(lesson, [learner, other_learner], size)
        counts["anonymous"].append(queries_for_page(client, url))
        counts["signed in"].append(queries_for_page(signed_in, url))
    assert Comment.objects.filter(lesson=lesson).count() == 200
    for who, numbers in counts.items():
        assert len(set(numbers)) == 1, f"{who}: {numbers}"


def test_hidden_comments_are_not_shown_or_counted(client, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Spam spam spam")
    Comment.objects.filter(pk=comment.pk).update(moderation=Moderation.HIDDEN)
    page = text_of(client.get(lesson.get_absolute_url()))
    assert "Spam spam" not in page and "Comments 0" in page
