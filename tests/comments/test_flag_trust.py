"""Moderation can't be weaponised: only flags from learners whose accounts were not made for
the purpose (a verified email address, an account old enough when they flagged, optionally some
comments of their own on show) hide a comment. Every flag still reaches the moderators."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentFlag, Moderation
from comments.services import comment_flag, comment_post, comments_hide, flag_withdraw

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def account(name: str, *, days_old: float, verified: bool = True, **extra):
    """A learner whose account is `days_old` days old, with a verified address or not."""
    user = get_user_model().objects.create_user(
        username=name,
        email=f"{name}@example.com",
        date_joined=timezone.now() - timedelta(days=days_old),
        **extra,
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=verified, primary=True)
    return user


def accounts(prefix: str, count: int, **options) -> list:
    return [account(f"{prefix}{n}", **options) for n in range(count)]


def flag_by(comment: Comment, users, reason: str = "rude") -> Comment:
    for user in users:
        comment_flag(comment=comment, user=user, reason=reason)
    comment.refresh_from_db()
    return comment


@pytest.fixture
def comment(learner, lesson) -> Comment:
    return comment_post(author=learner, lesson=lesson, body="A perfectly fair remark")


def test_settings_have_safe_defaults(settings):
    assert settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS == 3
    assert settings.COMMENTS_FLAG_MIN_COMMENTS == 0
    assert settings.COMMENTS_FLAGS_TO_HIDE == 3


def test_settings_are_read_from_the_environment():
    env = {
        **os.environ,
        "DEBUG": "true",
        "COMMENTS_FLAG_MIN_ACCOUNT_DAYS": "7",
        "COMMENTS_FLAG_MIN_COMMENTS": "2",
        "COMMENTS_FLAG_RATE_LIMIT": "4/600",
    }
    code = (
        "import lessons.settings as s; "
        "print(s.COMMENTS_FLAG_MIN_ACCOUNT_DAYS, s.COMMENTS_FLAG_MIN_COMMENTS, "
        "s.COMMENTS_FLAG_RATE_LIMIT)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert result.stdout.split() == ["7", "2", "4/600"]


def test_three_brand_new_accounts_cannot_hide_a_comment(comment):
    flag_by(comment, accounts("fresh", 3, days_old=0))
    assert comment.moderation == Moderation.VISIBLE
    # The flags are kept, and moderators see the comment in their queue.
    assert CommentFlag.objects.filter(comment=comment).pending().count() == 3
    assert list(Comment.objects.awaiting_review()) == [comment]


def test_many_brand_new_accounts_cannot_hide_a_comment_either(comment):
    flag_by(comment, accounts("swarm", 12, days_old=0.5))
    assert comment.moderation == Moderation.VISIBLE


def test_accounts_just_short_of_the_age_do_not_count(comment):
    flag_by(comment, accounts("almost", 3, days_old=2.9))
    assert comment.moderation == Moderation.VISIBLE


def test_old_accounts_without_a_verified_address_do_not_count(comment):
    flag_by(comment, accounts("unverified", 3, days_old=400, verified=False))
    assert comment.moderation == Moderation.VISIBLE


def test_accounts_without_any_address_record_do_not_count(comment):
    users = [
        get_user_model().objects.create_user(
            username=f"bare{n}",
            email=f"bare{n}@example.com",
            date_joined=timezone.now() - timedelta(days=90),
        )
        for n in range(3)
    ]
    flag_by(comment, users)
    assert comment.moderation == Moderation.VISIBLE


def test_three_old_verified_accounts_hide_a_comment_until_review(client, comment, lesson):
    flag_by(comment, accounts("regular", 3, days_old=30))
    assert comment.moderation == Moderation.AWAITING_REVIEW
    assert "A perfectly fair remark" not in client.get(lesson.get_absolute_url()).content.decode()


def test_an_account_exactly_old_enough_counts(settings, comment):
    settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS = 3
    flag_by(comment, accounts("exact", 3, days_old=3.01))
    assert comment.moderation == Moderation.AWAITING_REVIEW


def test_new_accounts_add_nothing_to_trusted_flags(comment):
    flag_by(comment, accounts("trusted", 2, days_old=30))
    flag_by(comment, accounts("fresh", 5, days_old=0))
    flag_by(comment, accounts("unverified", 5, days_old=30, verified=False))
    assert comment.moderation == Moderation.VISIBLE
    flag_by(comment, [account("third", days_old=10)])
    assert comment.moderation == Moderation.AWAITING_REVIEW


def test_one_verified_address_among_several_is_enough(comment):
    users = accounts("mixed", 3, days_old=30, verified=False)
    for user in users:
        EmailAddress.objects.create(
            user=user, email=f"other-{user.username}@example.com", verified=True
        )
    flag_by(comment, users)
    assert comment.moderation == Moderation.AWAITING_REVIEW


def test_deactivated_accounts_do_not_count(comment):
    flag_by(comment, accounts("gone", 3, days_old=30, is_active=False))
    assert comment.moderation == Moderation.VISIBLE


def test_age_is_judged_when_the_learner_flagged_not_later(comment):
    # Flagged when two days old; a week later the account is old enough, its flag still not.
    early = account("early", days_old=9)
    comment_flag(comment=comment, user=early, reason="rude")
    CommentFlag.objects.filter(user=early).update(created_at=timezone.now() - timedelta(days=7))
    flag_by(comment, accounts("trusted", 2, days_old=30))
    assert comment.moderation == Moderation.VISIBLE


def test_fewer_days_can_be_configured(settings, comment):
    settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS = 0
    flag_by(comment, accounts("fresh", 3, days_old=0))
    assert comment.moderation == Moderation.AWAITING_REVIEW


def test_a_verified_address_is_needed_whatever_the_age_setting(settings, comment):
    settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS = 0
    flag_by(comment, accounts("fresh", 3, days_old=0, verified=False))
    assert comment.moderation == Moderation.VISIBLE


def test_more_days_can_be_configured(settings, comment):
    settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS = 60
    flag_by(comment, accounts("month", 3, days_old=30))
    assert comment.moderation == Moderation.VISIBLE


def test_own_comments_on_show_can_be_required(settings, comment, lesson):
    settings.COMMENTS_FLAG_MIN_COMMENTS = 1
    users = accounts("quiet", 3, days_old=30)
    flag_by(comment, users[:2])
    assert comment.moderation == Moderation.VISIBLE
    # A comment of their own written before flagging makes a learner's flag count...
    for user in users:
        own = comment_post(author=user, lesson=lesson, body=f"I am {user.username}")
        Comment.objects.filter(pk=own.pk).update(created_at=timezone.now() - timedelta(days=1))
    # ...and a hidden one does not.
    comments_hide(comments=Comment.objects.filter(author=users[2]))
    flag_by(comment, users[2:])
    assert comment.moderation == Moderation.VISIBLE
    hidden = Comment.objects.filter(author=users[2])
    Comment.objects.filter(pk__in=hidden).update(moderation=Moderation.VISIBLE)
    comment_flag(comment=comment, user=account("fourth", days_old=30), reason="rude")
    comment.refresh_from_db()
    assert comment.moderation == Moderation.AWAITING_REVIEW


def test_comments_written_after_the_flag_do_not_count(settings, comment, lesson):
    settings.COMMENTS_FLAG_MIN_COMMENTS = 1
    users = accounts("late", 3, days_old=30)
    flag_by(comment, users)
    for user in users:
        comment_post(author=user, lesson=lesson, body="Written afterwards")
    flag_by(comment, [account("trigger", days_old=30)])
    assert comment.moderation == Moderation.VISIBLE


def test_withdrawing_an_untrusted_flag_leaves_a_hidden_comment_hidden(comment):
    flag_by(comment, accounts("trusted", 3, days_old=30))
    fresh = account("fresh", days_old=0)
    flag_by(comment, [fresh])
    flag_withdraw(flag=CommentFlag.objects.get(user=fresh))
    comment.refresh_from_db()
    assert comment.moderation == Moderation.AWAITING_REVIEW


def test_withdrawing_a_trusted_flag_shows_the_comment_even_with_untrusted_ones(comment):
    trusted = accounts("trusted", 3, days_old=30)
    flag_by(comment, trusted + accounts("fresh", 4, days_old=0))
    assert comment.moderation == Moderation.AWAITING_REVIEW
    flag_withdraw(flag=CommentFlag.objects.get(user=trusted[0]))
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE


def test_learners_who_just_signed_up_on_the_site_cannot_hide_a_comment(comment, lesson):
    for n in range(3):
        browser = Client()
        response = browser.post(
            reverse("account_signup"),
            {
                "email": f"sockpuppet{n}@example.com",
                "password1": "a-long-password-42",
                "password2": "a-long-password-42",
                "display_name": f"Puppet {n}",
            },
        )
        assert response.status_code == 302  # signed up and signed in at once
        flagged = browser.post(reverse("comments:flag", args=[comment.pk]), {"reason": "spam"})
        assert flagged.status_code == 302
    assert CommentFlag.objects.filter(comment=comment).count() == 3
    comment.refresh_from_db()
    assert comment.moderation == Moderation.VISIBLE
    assert "A perfectly fair remark" in Client().get(lesson.get_absolute_url()).content.decode()


def test_moderators_see_which_flags_count(django_user_model, comment):
    flag_by(comment, [account("trusted", days_old=30), account("fresh", days_old=0)])
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")
    staff = Client()
    staff.force_login(boss)
    page = staff.get(reverse("admin:comments_flaggedcomment_change", args=[comment.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "counts toward hiding" in text.lower()
    flags = text[text.index('id="flags-group"') :]
    flags = flags[: flags.index("</table>")]
    assert flags.count('alt="True"') == 1 and flags.count('alt="False"') == 1
