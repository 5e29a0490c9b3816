"""What the comments app tells progress when a comment stops or starts standing again: a
comment counts for its author while it stands (not deleted, not hidden by moderators); a reply
counts for the author of the comment it answers while both stand."""

import pytest
from django.test import Client
from django.urls import reverse

from comments import signals
from comments.models import Comment, CommentFlag, FlagResolution, Moderation
from comments.services import (
    comment_delete,
    comment_flag,
    comment_post,
    comments_hide,
    comments_restore,
    flags_dismiss,
)
from tests.conftest import learner_make

pytestmark = pytest.mark.django_db

SIGNALS = {
    "posted": signals.comment_posted,
    "reply": signals.reply_received,
    "withdrawn": signals.comment_withdrawn,
    "reply withdrawn": signals.reply_withdrawn,
}


@pytest.fixture
def heard():
    """Every signal the comments app sends to progress, as (name, user id, key), in order."""
    log: list[tuple[str, int, str]] = []
    for name, signal in SIGNALS.items():

        def receiver(sender, *, user, key, _name=name, **kwargs):
            log.append((_name, user.pk, key))

        # Kept alive by the signal (weak=False) until the test disconnects it.
        signal.connect(receiver, weak=False, dispatch_uid=f"test-heard-{name}")
    yield log
    for name, signal in SIGNALS.items():
        signal.disconnect(dispatch_uid=f"test-heard-{name}")


@pytest.fixture
def sora(db):
    return learner_make("sora", "sora@example.com", "learner-pass-44", "Sora")


@pytest.fixture
def conversation(learner, other_learner, sora, lesson):
    """Mina asks; Jun answers; Sora and Mina herself reply to Jun's answer."""
    question = comment_post(author=learner, lesson=lesson, body="Question")
    answer = comment_post(author=other_learner, lesson=lesson, body="Answer", parent=question)
    follow_up = comment_post(author=sora, lesson=lesson, body="Follow-up", parent=answer)
    thanks = comment_post(author=learner, lesson=lesson, body="Thanks", parent=answer)
    return question, answer, follow_up, thanks


def key(comment: Comment) -> str:
    return f"comment:{comment.pk}"


def run_after_commit(capture, heard, action) -> list:
    heard.clear()
    with capture() as callbacks:
        action()
    assert heard == []  # nothing before the commit
    for callback in callbacks:
        callback()
    return list(heard)


def test_hiding_withdraws_the_comment_and_the_replies_it_earned(
    heard, conversation, learner, other_learner, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_hide(comments=[answer])
    )
    assert sorted(told) == sorted(
        [
            ("withdrawn", other_learner.pk, key(answer)),  # Jun's comment
            ("reply withdrawn", learner.pk, key(answer)),  # Mina's reply received
            ("reply withdrawn", other_learner.pk, key(follow_up)),  # Jun's replies received
            ("reply withdrawn", other_learner.pk, key(thanks)),
        ]
    )


def test_hiding_a_comment_already_hidden_tells_nothing(
    heard, conversation, django_capture_on_commit_callbacks
):
    answer = conversation[1]
    comments_hide(comments=[answer])
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_hide(comments=[answer])
    )
    assert told == []


def test_hiding_a_deleted_comment_tells_nothing_more(
    heard, conversation, django_capture_on_commit_callbacks
):
    answer = conversation[1]
    comment_delete(comment=answer)
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_hide(comments=[answer])
    )
    assert told == []


def test_hiding_several_comments_at_once(
    heard, conversation, learner, other_learner, sora, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    told = run_after_commit(
        django_capture_on_commit_callbacks,
        heard,
        lambda: comments_hide(comments=Comment.objects.filter(pk__in=[question.pk, follow_up.pk])),
    )
    assert sorted(told) == sorted(
        [
            ("withdrawn", learner.pk, key(question)),
            ("reply withdrawn", learner.pk, key(answer)),
            ("withdrawn", sora.pk, key(follow_up)),
            ("reply withdrawn", other_learner.pk, key(follow_up)),
        ]
    )


def test_restoring_counts_the_comment_and_its_standing_replies_again(
    heard, conversation, learner, other_learner, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    comments_hide(comments=[answer])
    comments_hide(comments=[follow_up])
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_restore(comments=[answer])
    )
    assert sorted(told) == sorted(
        [
            ("posted", other_learner.pk, key(answer)),
            ("reply", learner.pk, key(answer)),
            ("reply", other_learner.pk, key(thanks)),  # the hidden follow-up still does not count
        ]
    )


def test_restoring_a_reply_to_a_hidden_comment_counts_only_for_its_author(
    heard, conversation, other_learner, sora, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    comments_hide(comments=[answer, follow_up])
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_restore(comments=[follow_up])
    )
    assert told == [("posted", sora.pk, key(follow_up))]


def test_restoring_a_reply_with_its_parent_counts_both(
    heard, conversation, learner, other_learner, sora, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    comments_hide(comments=[answer, follow_up])
    told = run_after_commit(
        django_capture_on_commit_callbacks,
        heard,
        lambda: comments_restore(comments=[answer, follow_up]),
    )
    assert ("reply", other_learner.pk, key(follow_up)) in told
    assert ("posted", sora.pk, key(follow_up)) in told
    assert ("posted", other_learner.pk, key(answer)) in told


def test_a_comment_hidden_by_flags_still_counts(
    heard, settings, conversation, jun, django_capture_on_commit_callbacks
):
    settings.COMMENTS_FLAG_MIN_ACCOUNT_DAYS = 0
    settings.COMMENTS_FLAGS_TO_HIDE = 1
    question = conversation[0]
    told = run_after_commit(
        django_capture_on_commit_callbacks,
        heard,
        lambda: jun.post(reverse("comments:flag", args=[question.pk]), {"reason": "rude"}),
    )
    question.refresh_from_db()
    assert question.moderation == Moderation.AWAITING_REVIEW
    assert told == []
    # Dismissing the flags changes nothing for progress either.
    dismiss = lambda: flags_dismiss(comments=[question])  # noqa: E731
    assert run_after_commit(django_capture_on_commit_callbacks, heard, dismiss) == []


def test_restoring_a_comment_hidden_only_by_flags_tells_nothing(
    heard, conversation, django_capture_on_commit_callbacks
):
    question = conversation[0]
    Comment.objects.filter(pk=question.pk).update(moderation=Moderation.AWAITING_REVIEW)
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_restore(comments=[question])
    )
    assert told == []


def test_deleting_your_comment_withdraws_what_it_earned(
    heard, conversation, learner, other_learner, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comment_delete(comment=answer)
    )
    assert sorted(told) == sorted(
        [
            ("withdrawn", other_learner.pk, key(answer)),
            ("reply withdrawn", learner.pk, key(answer)),
            ("reply withdrawn", other_learner.pk, key(follow_up)),
            ("reply withdrawn", other_learner.pk, key(thanks)),
        ]
    )


def test_deleting_through_the_site_withdraws(
    heard, conversation, other_learner, jun, django_capture_on_commit_callbacks
):
    answer = conversation[1]
    told = run_after_commit(
        django_capture_on_commit_callbacks,
        heard,
        lambda: jun.post(reverse("comments:delete", args=[answer.pk])),
    )
    assert ("withdrawn", other_learner.pk, key(answer)) in told


def test_deleting_a_comment_moderators_hid_tells_nothing_more(
    heard, conversation, django_capture_on_commit_callbacks
):
    answer = conversation[1]
    comments_hide(comments=[answer])
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comment_delete(comment=answer)
    )
    assert told == []


def test_your_own_replies_to_yourself_are_never_counted_as_replies(
    heard, learner, lesson, django_capture_on_commit_callbacks
):
    question = comment_post(author=learner, lesson=lesson, body="Q")
    comment_post(author=learner, lesson=lesson, body="Never mind", parent=question)
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_hide(comments=[question])
    )
    assert told == [("withdrawn", learner.pk, key(question))]


def test_replies_by_deleted_accounts_are_skipped(
    heard, conversation, other_learner, sora, django_capture_on_commit_callbacks
):
    question, answer, follow_up, thanks = conversation
    sora.delete()
    told = run_after_commit(
        django_capture_on_commit_callbacks, heard, lambda: comments_hide(comments=[answer])
    )
    assert ("reply withdrawn", other_learner.pk, key(follow_up)) not in told
    assert ("reply withdrawn", other_learner.pk, key(thanks)) in told


@pytest.fixture
def superuser_client(django_user_model) -> Client:
    admin = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw-boss-123")
    client = Client()
    client.force_login(admin)
    return client


def admin_change(client: Client, comment: Comment, moderation: str):
    url = reverse("admin:comments_comment_change", args=[comment.pk])
    return client.post(url, {"moderation": moderation, "flags-TOTAL_FORMS": "0",
                             "flags-INITIAL_FORMS": "0", "flags-MIN_NUM_FORMS": "0",
                             "flags-MAX_NUM_FORMS": "1000"})  # fmt: skip


def test_hiding_on_the_admin_page_goes_through_moderation(
    heard, superuser_client, conversation, other_learner, sora, django_capture_on_commit_callbacks
):
    answer = conversation[1]
    comment_flag(comment=answer, user=sora, reason="rude")
    told = run_after_commit(
        django_capture_on_commit_callbacks,
        heard,
        lambda: admin_change(superuser_client, answer, Moderation.HIDDEN),
    )
    answer.refresh_from_db()
    assert answer.moderation == Moderation.HIDDEN
    assert CommentFlag.objects.get().resolution == FlagResolution.UPHELD
    assert ("withdrawn", other_learner.pk, key(answer)) in told


def test_restoring_on_the_admin_page_counts_again(
    heard, superuser_client, conversation, other_learner, django_capture_on_commit_callbacks
):
    answer = conversation[1]
    comments_hide(comments=[answer])
    told = run_after_commit(
        django_capture_on_commit_callbacks,
        heard,
        lambda: admin_change(superuser_client, answer, Moderation.VISIBLE),
    )
    answer.refresh_from_db()
    assert answer.moderation == Moderation.VISIBLE
    assert ("posted", other_learner.pk, key(answer)) in told
