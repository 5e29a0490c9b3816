from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment
from comments.services import comment_post
from tests.comments.test_thread_cache import actions, controls

pytestmark = pytest.mark.django_db


def post_url(lesson) -> str:
    return reverse(
        "comments:post", kwargs={"course_slug": lesson.course.slug, "lesson_slug": lesson.slug}
    )


def test_posting_needs_sign_in(client, lesson):
    response = client.post(post_url(lesson), {"body": "Hello"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not Comment.objects.exists()


def test_learner_posts_a_comment_and_lands_on_it(mina, learner, lesson):
    response = mina.post(post_url(lesson), {"body": "  What does **this** mean?  "})
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{lesson.get_absolute_url()}#comment-{comment.pk}"
    assert comment.author == learner and comment.body == "What does **this** mean?"
    assert comment.body_html == "<p>What does <strong>this</strong> mean?</p>"
    page = mina.get(response["Location"]).content.decode()
    assert "Your comment is posted." in page and f'id="comment-{comment.pk}"' in page


def test_reply_is_nested_under_its_parent(mina, jun, learner, lesson):
    parent = comment_post(author=learner, lesson=lesson, body="Question")
    form = jun.get(reverse("comments:reply", args=[parent.pk]))
    assert "Reply to Mina" in form.content.decode() and "Question" in form.content.decode()
    jun.post(reverse("comments:reply", args=[parent.pk]), {"body": "Answer"})
    reply = Comment.objects.get(body="Answer")
    assert reply.parent == parent and reply.lesson == lesson
    page = mina.get(lesson.get_absolute_url()).content.decode()
    assert f'class="comment d1" id="comment-{reply.pk}"' in page


def test_too_long_comment_gets_a_clear_message_and_keeps_the_text(settings, mina, lesson):
    settings.COMMENTS_MAX_LENGTH = 20
    text = "x" * 25
    response = mina.post(post_url(lesson), {"body": text})
    assert response.status_code == 200
    page = response.content.decode()
    assert "A comment can be at most 20 characters long; yours has 25." in page
    assert f"{text}</textarea>" in page
    assert not Comment.objects.exists()


def test_empty_comment_is_refused(mina, lesson):
    response = mina.post(post_url(lesson), {"body": "   "})
    assert response.status_code == 200
    assert not Comment.objects.exists()


def test_posting_too_fast_is_refused_with_the_text_kept(settings, mina, lesson):
    settings.COMMENTS_RATE_LIMIT = "2/60"
    for number in range(2):
        assert mina.post(post_url(lesson), {"body": f"Comment {number}"}).status_code == 302
    response = mina.post(post_url(lesson), {"body": "My carefully written third thought"})
    assert response.status_code == 429
    page = response.content.decode()
    assert "You are posting faster than Stream allows." in page
    assert "My carefully written third thought</textarea>" in page
    assert Comment.objects.count() == 2


def test_rate_limit_counts_per_learner(settings, mina, jun, lesson):
    settings.COMMENTS_RATE_LIMIT = "1/60"
    assert mina.post(post_url(lesson), {"body": "One"}).status_code == 302
    assert jun.post(post_url(lesson), {"body": "Two"}).status_code == 302


def test_comments_on_a_draft_are_404_for_learners(mina, lesson):
    lesson.status = "draft"
    lesson.save()
    assert mina.post(post_url(lesson), {"body": "Hi"}).status_code == 404


def test_author_edits_within_the_window_and_it_shows_as_edited(mina, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Frist")
    response = mina.post(reverse("comments:edit", args=[comment.pk]), {"body": "First"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert comment.body_html == "<p>First</p>" and comment.edited_at is not None
    assert ">edited</span>" in mina.get(lesson.get_absolute_url()).content.decode()


def test_editing_after_the_window_is_refused(settings, mina, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Old")
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=settings.COMMENTS_EDIT_MINUTES + 1)
    )
    response = mina.post(reverse("comments:edit", args=[comment.pk]), {"body": "New"}, follow=True)
    assert "The time for editing this comment has passed." in response.content.decode()
    comment.refresh_from_db()
    assert comment.body == "Old"
    assert "edit" not in controls(mina.get(lesson.get_absolute_url()).content.decode())[comment.pk]


@pytest.mark.parametrize("action", ["edit", "delete"])
def test_nobody_edits_or_deletes_another_learners_comment(
    action, jun, staff_client, learner, lesson
):
    comment = comment_post(author=learner, lesson=lesson, body="Mine")
    url = reverse(f"comments:{action}", args=[comment.pk])
    for other in (jun, staff_client):
        assert other.get(url).status_code == 403
        assert other.post(url, {"body": "Changed"}).status_code == 403
    comment.refresh_from_db()
    assert comment.body == "Mine" and not comment.is_removed


def test_other_learners_see_no_edit_or_delete_links(jun, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Mine")
    page = jun.get(lesson.get_absolute_url()).content.decode()
    # Jun may reply or flag, here and on the comment's own page, not edit or delete.
    assert controls(page)[comment.pk] == {"reply", "flag"}
    assert actions(jun, comment.pk) == {"reply", "flag"}


def test_author_deletes_their_comment_after_confirming(mina, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Regret")
    url = reverse("comments:delete", args=[comment.pk])
    assert "Delete your comment?" in mina.get(url).content.decode()
    response = mina.post(url)
    assert response["Location"] == f"{lesson.get_absolute_url()}#comments"
    comment.refresh_from_db()
    assert comment.is_removed and comment.body == "" and comment.body_html == ""


def test_replying_to_a_deleted_comment_is_refused(jun, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Gone soon")
    Comment.objects.filter(pk=comment.pk).update(is_removed=True)
    jun.post(reverse("comments:reply", args=[comment.pk]), {"body": "Hello?"})
    assert Comment.objects.count() == 1


def test_get_on_the_post_address_goes_back_to_the_thread(mina, lesson):
    response = mina.get(post_url(lesson))
    assert response["Location"] == f"{lesson.get_absolute_url()}#comments"
