"""Rate limits on every write of the discussion: edits share the posting limit, flags have
their own; beyond either, the form comes back with a clear error, the text kept, status 429."""

import pytest
from django.test import Client
from django.urls import reverse

from comments.models import Comment, CommentFlag
from comments.services import comment_post
from tests.conftest import learner_make

pytestmark = pytest.mark.django_db

TOO_FAST = "You are posting faster than Stream allows."
FLAGGING_TOO_FAST = "You have flagged several comments in a short time."


def post_url(lesson) -> str:
    return reverse("comments:post", args=[lesson.course.slug, lesson.slug])


def edit_url(comment) -> str:
    return reverse("comments:edit", args=[comment.pk])


def flag_url(comment) -> str:
    return reverse("comments:flag", args=[comment.pk])


@pytest.fixture
def own_comment(learner, lesson) -> Comment:
    return comment_post(author=learner, lesson=lesson, body="First version")


# --- Edits count toward the posting limit ------------------------------------------------------


def test_edits_beyond_the_limit_are_refused_with_the_text_kept(settings, mina, own_comment):
    settings.COMMENTS_RATE_LIMIT = "2/60"
    for number in range(2):
        assert mina.post(edit_url(own_comment), {"body": f"Version {number}"}).status_code == 302
    response = mina.post(edit_url(own_comment), {"body": "My carefully reworded third version"})
    assert response.status_code == 429
    page = response.content.decode()
    assert TOO_FAST in page
    assert "My carefully reworded third version</textarea>" in page
    own_comment.refresh_from_db()
    assert own_comment.body == "Version 1"


def test_edits_and_posts_share_one_limit(settings, mina, own_comment, lesson):
    settings.COMMENTS_RATE_LIMIT = "3/60"
    assert mina.post(post_url(lesson), {"body": "A post"}).status_code == 302
    assert mina.post(edit_url(own_comment), {"body": "An edit"}).status_code == 302
    assert mina.post(post_url(lesson), {"body": "Another post"}).status_code == 302
    assert mina.post(edit_url(own_comment), {"body": "One edit too many"}).status_code == 429
    assert mina.post(post_url(lesson), {"body": "One post too many"}).status_code == 429
    assert Comment.objects.count() == 3


def test_posting_after_editing_up_to_the_limit_is_refused(settings, mina, own_comment, lesson):
    settings.COMMENTS_RATE_LIMIT = "2/60"
    for number in range(2):
        mina.post(edit_url(own_comment), {"body": f"Version {number}"})
    response = mina.post(post_url(lesson), {"body": "Now a new thought"})
    assert response.status_code == 429
    assert "Now a new thought</textarea>" in response.content.decode()


def test_edit_limit_counts_per_learner(settings, mina, jun, own_comment, lesson):
    settings.COMMENTS_RATE_LIMIT = "1/60"
    assert mina.post(edit_url(own_comment), {"body": "Edited"}).status_code == 302
    assert jun.post(post_url(lesson), {"body": "Jun is not slowed down"}).status_code == 302


def test_a_refused_edit_page_still_offers_to_save_the_edit(settings, mina, own_comment):
    settings.COMMENTS_RATE_LIMIT = "1/60"
    mina.post(edit_url(own_comment), {"body": "Edited once"})
    page = mina.post(edit_url(own_comment), {"body": "Edited twice"}).content.decode()
    assert "Edit your comment" in page and "Save changes" in page
    assert f'action="{edit_url(own_comment)}"' in page


# --- Flags ---------------------------------------------------------------------------------------


@pytest.fixture
def comments_to_flag(learner, lesson) -> list[Comment]:
    return [comment_post(author=learner, lesson=lesson, body=f"Remark {n}") for n in range(4)]


def test_flag_limit_defaults_to_ten_an_hour(settings):
    assert settings.COMMENTS_FLAG_RATE_LIMIT == "10/3600"


def test_flags_beyond_the_limit_are_refused_with_the_note_kept(settings, jun, comments_to_flag):
    settings.COMMENTS_FLAG_RATE_LIMIT = "2/3600"
    for comment in comments_to_flag[:2]:
        assert jun.post(flag_url(comment), {"reason": "spam"}).status_code == 302
    response = jun.post(
        flag_url(comments_to_flag[2]), {"reason": "rude", "note": "Insults another learner"}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert FLAGGING_TOO_FAST in page
    assert "Insults another learner" in page
    form = response.context["form"]
    assert (form["reason"].value(), form["note"].value()) == ("rude", "Insults another learner")
    assert CommentFlag.objects.count() == 2


def test_flag_limit_counts_per_learner(settings, jun, comments_to_flag, lesson):
    settings.COMMENTS_FLAG_RATE_LIMIT = "1/3600"
    assert jun.post(flag_url(comments_to_flag[0]), {"reason": "spam"}).status_code == 302
    other = Client()
    other.force_login(learner_make("sora", "sora@example.com", "learner-pass-44", "Sora"))
    assert other.post(flag_url(comments_to_flag[0]), {"reason": "spam"}).status_code == 302
    assert jun.post(flag_url(comments_to_flag[1]), {"reason": "spam"}).status_code == 429
    assert CommentFlag.objects.count() == 2


def test_flag_limit_is_its_own_not_the_posting_one(settings, jun, comments_to_flag, lesson):
    settings.COMMENTS_RATE_LIMIT = "1/60"
    settings.COMMENTS_FLAG_RATE_LIMIT = "1/3600"
    assert jun.post(flag_url(comments_to_flag[0]), {"reason": "spam"}).status_code == 302
    assert jun.post(post_url(lesson), {"body": "Still allowed to post"}).status_code == 302
    assert jun.post(flag_url(comments_to_flag[1]), {"reason": "spam"}).status_code == 429


def test_many_flags_in_a_row_stop_at_the_limit(settings, jun, learner, lesson):
    settings.COMMENTS_FLAG_RATE_LIMIT = "10/3600"
    comments = [comment_post(author=learner, lesson=lesson, body=f"Post {n}") for n in range(15)]
    statuses = [jun.post(flag_url(c), {"reason": "spam"}).status_code for c in comments]
    assert statuses == [302] * 10 + [429] * 5
    assert CommentFlag.objects.count() == 10
