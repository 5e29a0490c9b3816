from datetime import timedelta

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentFlag, FlagResolution, Moderation
from comments.services import comment_flag, comment_post
from tests.comments.test_thread_cache import controls

pytestmark = pytest.mark.django_db


def flaggers(count: int, prefix: str = "flagger") -> list:
    """Learners whose flags count toward hiding: verified addresses, accounts a month old."""
    joined = timezone.now() - timedelta(days=30)
    users = []
    for n in range(count):
        user = get_user_model().objects.create_user(
            username=f"{prefix}{n}", email=f"{prefix}{n}@example.com", date_joined=joined
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        users.append(user)
    return users


def test_learner_flags_a_comment_once(jun, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Buy cheap pills")
    url = reverse("comments:flag", args=[comment.pk])
    assert "Flag a comment" in jun.get(url).content.decode()
    response = jun.post(url, {"reason": "spam", "note": ""}, follow=True)
    assert "Moderators will take a look." in response.content.decode()
    response = jun.post(url, {"reason": "spam"}, follow=True)
    assert CommentFlag.objects.count() == 1
    page = jun.get(comment.lesson.get_absolute_url()).content.decode()
    assert "You flagged this." in page and "flagged" in controls(page)[comment.pk]


def test_nobody_flags_their_own_comment(mina, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Mine")
    assert (
        mina.post(reverse("comments:flag", args=[comment.pk]), {"reason": "spam"}).status_code
        == 403
    )
    assert not CommentFlag.objects.exists()


def test_enough_flags_hide_a_comment_until_reviewed(settings, client, learner, lesson):
    settings.COMMENTS_FLAGS_TO_HIDE = 2
    comment = comment_post(author=learner, lesson=lesson, body="Rude words")
    first, second = flaggers(2)
    comment_flag(comment=comment, user=first, reason="rude")
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE
    comment_flag(comment=comment, user=second, reason="rude")
    comment.refresh_from_db()
    assert comment.moderation == Moderation.AWAITING_REVIEW
    assert "Rude words" not in client.get(lesson.get_absolute_url()).content.decode()
    assert list(Comment.objects.awaiting_review()) == [comment]


def test_withdrawing_a_flag_is_only_for_its_author(settings, learner, lesson):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    comment = comment_post(author=learner, lesson=lesson, body="Borderline")
    (flagger,) = flaggers(1)
    comment_flag(comment=comment, user=flagger, reason="off_topic")
    flag = CommentFlag.objects.get()
    url = reverse("comments:flag-withdraw", args=[flag.pk])

    # Not the comment's author, not another learner, not staff.
    bystander = Client()
    bystander.force_login(flaggers(1, prefix="bystander")[0])
    author = Client()
    author.force_login(learner)
    for other in (author, bystander):
        assert other.post(url).status_code == 403
    assert CommentFlag.objects.filter(pk=flag.pk).exists()

    owner = Client()
    owner.force_login(flagger)
    owner.post(url)
    assert not CommentFlag.objects.exists()
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE


def admin_action(staff_client, action: str, comments, model: str = "flaggedcomment"):
    return staff_client.post(
        reverse(f"admin:comments_{model}_changelist"),
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_moderation_queue_lists_flagged_comments(admin_client, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Questionable remark")
    comment_post(author=learner, lesson=lesson, body="Perfectly fine")
    (flagger,) = flaggers(1)
    comment_flag(comment=comment, user=flagger, reason="rude")
    page = admin_client.get(reverse("admin:comments_flaggedcomment_changelist"))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Questionable remark" in text and "Perfectly fine" not in text
    assert "Rude or abusive" in text


def test_staff_hide_restore_and_dismiss(settings, admin_client, learner, lesson):
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    hidden, restored, dismissed = (
        comment_post(author=learner, lesson=lesson, body=body) for body in ("a", "b", "c")
    )
    (flagger,) = flaggers(1)
    for comment in (hidden, restored, dismissed):
        comment_flag(comment=comment, user=flagger, reason="spam")

    admin_action(admin_client, "hide", [hidden])
    admin_action(admin_client, "restore", [restored])
    admin_action(admin_client, "dismiss", [dismissed])

    moderation = dict(Comment.objects.values_list("pk", "moderation"))
    assert moderation[hidden.pk] == Moderation.HIDDEN
    assert moderation[restored.pk] == Moderation.VISIBLE
    assert moderation[dismissed.pk] == Moderation.VISIBLE
    resolutions = dict(CommentFlag.objects.values_list("comment_id", "resolution"))
    assert resolutions[hidden.pk] == FlagResolution.UPHELD
    assert resolutions[restored.pk] == resolutions[dismissed.pk] == FlagResolution.DISMISSED
    assert not Comment.objects.awaiting_review().exists()


def test_dismissing_flags_leaves_a_comment_staff_hid_hidden(admin_client, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="x")
    admin_action(admin_client, "hide", [comment], model="comment")
    (flagger,) = flaggers(1)
    comment_flag(comment=comment, user=flagger, reason="spam")
    admin_action(admin_client, "dismiss", [comment], model="comment")
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN


def test_queue_counts_only_pending_flags(settings, learner, lesson):
    settings.COMMENTS_FLAGS_TO_HIDE = 10
    comment = comment_post(author=learner, lesson=lesson, body="x")
    for user in flaggers(3):
        comment_flag(comment=comment, user=user, reason="spam")
    CommentFlag.objects.filter(pk=CommentFlag.objects.first().pk).update(
        resolution=FlagResolution.DISMISSED
    )
    (queued,) = Comment.objects.awaiting_review().with_pending_flag_count()
    assert queued.pending_flags == 2


def test_admin_pages_for_comments_open(admin_client, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="<b>not bold</b> **bold**")
    for name in ("comment", "flaggedcomment"):
        assert admin_client.get(reverse(f"admin:comments_{name}_changelist")).status_code == 200
    page = admin_client.get(reverse("admin:comments_comment_change", args=[comment.pk]))
    assert page.status_code == 200
    assert "<strong>bold</strong>" in page.content.decode()
    assert "<b>not bold</b>" not in page.content.decode()
