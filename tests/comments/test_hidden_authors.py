"""A comment hidden by moderators or deleted by its author names nobody: no author's name, id or
avatar in any page, title, attribute, notification or email."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import emails
from comments.models import Comment, Moderation, Notification
from comments.rules import MAX_INDENT
from comments.services import comment_delete, comment_flag, comment_post
from tests.conftest import learner_make

pytestmark = pytest.mark.django_db

# Unlike any other word on the pages, so that finding it anywhere means the author was named.
NAME = "Zelda Quillfeather"


@pytest.fixture
def zelda(db):
    return learner_make("zelda", "zelda@example.com", "learner-pass-45", NAME)


def gone(comment: Comment, how: str) -> None:
    if how == "deleted":
        comment_delete(comment=comment)
    else:
        Comment.objects.filter(pk=comment.pk).update(moderation=how)
        comment.refresh_from_db()


HOW = ["deleted", Moderation.HIDDEN, Moderation.AWAITING_REVIEW]


@pytest.fixture
def answered(zelda, other_learner, lesson):
    """Zelda's comment, and Jun's reply that keeps it in the thread as a placeholder."""
    comment = comment_post(author=zelda, lesson=lesson, body="Zelda's words")
    comment_post(author=other_learner, lesson=lesson, body="Jun's answer", parent=comment)
    return comment


@pytest.mark.parametrize("how", HOW)
def test_the_own_page_of_a_gone_comment_names_nobody_in_its_title_or_anywhere(how, answered, jun):
    gone(answered, how)
    for reader in (Client(), jun):
        page = reader.get(reverse("comments:comment", args=[answered.pk])).content.decode()
        title = page[page.index("<title>") : page.index("</title>")]
        assert "Comment by" not in title
        assert NAME not in page and "Zelda's words" not in page


@pytest.mark.parametrize("how", HOW)
def test_a_gone_comments_placeholder_carries_no_trace_of_its_author(
    how, answered, zelda, mina, lesson
):
    gone(answered, how)
    for reader in (Client(), mina):
        page = reader.get(lesson.get_absolute_url()).content.decode()
        placeholder = page[page.index(f'id="comment-{answered.pk}"') :]
        placeholder = placeholder[: placeholder.index("</li>")]
        assert "data-author" not in page
        assert f'"{zelda.pk}"' not in placeholder and "avatar" not in placeholder
        assert NAME not in page and "Jun's answer" in page


@pytest.mark.parametrize("how", HOW)
def test_a_deep_reply_to_a_gone_comment_does_not_name_its_author(
    how, zelda, other_learner, jun, lesson
):
    parent = comment_post(author=other_learner, lesson=lesson, body="Root")
    root = parent
    for depth in range(1, MAX_INDENT + 2):  # down to one level past the indentation
        author = zelda if depth == MAX_INDENT else other_learner
        parent = comment_post(author=author, lesson=lesson, body=f"Depth {depth}", parent=parent)
        if depth == MAX_INDENT:
            hidden = parent
    gone(hidden, how)
    page = jun.get(reverse("comments:comment", args=[root.pk])).content.decode()
    deep = page[page.index(f'id="comment-{parent.pk}"') :]
    deep = deep[: deep.index("</li>")]
    assert f'href="#comment-{hidden.pk}"' in deep  # it still says what it answers
    assert ("a deleted comment" if how == "deleted" else "a hidden comment") in deep
    assert NAME not in page


def test_withdrawing_a_flag_on_a_comment_hidden_since_shows_neither_text_nor_author(
    zelda, learner, mina, lesson
):
    comment = comment_post(author=zelda, lesson=lesson, body="Zelda's words")
    comment_flag(comment=comment, user=learner, reason="rude")
    gone(comment, Moderation.AWAITING_REVIEW)
    response = mina.get(reverse("comments:flag-withdraw-confirm", args=[comment.pk]))
    page = response.content.decode()
    assert response.status_code == 200 and "Withdraw flag" in page
    assert NAME not in page and "Zelda's words" not in page


@pytest.mark.parametrize("how", [Moderation.HIDDEN, Moderation.AWAITING_REVIEW])
def test_a_reply_hidden_before_it_is_read_is_notified_without_its_author(
    how, learner, zelda, mina, lesson
):
    mine = comment_post(author=learner, lesson=lesson, body="My question")
    reply = comment_post(author=zelda, lesson=lesson, body="Zelda's words", parent=mine)
    gone(reply, how)
    page = mina.get(reverse("comments:notifications")).content.decode()
    assert "This comment is no longer available." in page
    assert NAME not in page and "Zelda's words" not in page
    notification = Notification.objects.get(recipient=learner)
    assert emails.notification_message(notification) is None  # no email about it either
    opened = mina.get(reverse("comments:notification-open", args=[notification.pk]), follow=True)
    assert NAME not in opened.content.decode()


def test_a_reply_deleted_before_it_is_read_takes_its_notification_along(
    learner, zelda, mina, lesson
):
    mine = comment_post(author=learner, lesson=lesson, body="My question")
    reply = comment_post(author=zelda, lesson=lesson, body="Zelda's words", parent=mine)
    gone(reply, "deleted")
    assert not Notification.objects.filter(recipient=learner).exists()
    assert NAME not in mina.get(reverse("comments:notifications")).content.decode()
