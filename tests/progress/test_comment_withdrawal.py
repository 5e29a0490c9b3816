"""XP and achievements earned from comments last as long as the comments stand: hidden by
moderators or deleted by their author, they stop counting, and achievements that no longer
qualify are revoked with their XP; restored, they count again."""

from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.utils import timezone

from comments.models import Comment, Moderation
from comments.services import comment_delete, comment_post, comments_hide, comments_restore
from courses.models import Course, Lesson, Status
from progress.models import (
    Achievement,
    EarnedAchievement,
    LearnerEvent,
    Level,
    Rule,
    XPEntry,
)
from progress.services import announcements_take, event_record, event_withdraw, lesson_complete
from tests.conftest import learner_make

pytestmark = pytest.mark.django_db


def achievement(slug: str, rule: str, threshold: int = 1, xp: int = 0) -> Achievement:
    return Achievement.objects.create(
        slug=slug, icon="*", name_en=slug, name_ko=slug, description_en=slug,
        description_ko=slug, rule=rule, threshold=threshold, xp=xp,
    )  # fmt: skip


@pytest.fixture
def rules(db) -> None:
    """A small curve (level 1 at 20 XP, level 2 at 40) and achievements for comments."""
    for number, xp in enumerate((0, 20, 40)):
        Level.objects.create(number=number, xp_required=xp, name_en=f"L{number}", name_ko="L")
    achievement("first-word", Rule.COMMENTS_POSTED, 1, xp=10)
    achievement("regular-voice", Rule.COMMENTS_POSTED, 3, xp=10)
    achievement("conversation-starter", Rule.REPLIES_RECEIVED, 1, xp=5)
    achievement("kindled", Rule.LEVEL_REACHED, 1)
    achievement("glowing", Rule.LEVEL_REACHED, 2)


@pytest.fixture
def lesson(db) -> Lesson:
    course = Course.objects.create(slug="course-a", title="Course A", status=Status.PUBLISHED)
    return Lesson.objects.create(
        course=course, slug="one", title="One", order=1, status=Status.PUBLISHED, body_md="x", xp=50
    )


@pytest.fixture
def jun(db):
    return learner_make("jun", "jun@example.com", "learner-pass-43", "Jun")


@pytest.fixture
def committing(django_capture_on_commit_callbacks):
    """Run a block as if it were committed, so that progress hears what comments announce."""

    @contextmanager
    def block():
        with django_capture_on_commit_callbacks(execute=True):
            yield

    return block


def earned(user) -> set[str]:
    return set(
        EarnedAchievement.objects.filter(user=user).values_list("achievement__slug", flat=True)
    )


def xp(user) -> int:
    return sum(XPEntry.objects.filter(user=user).values_list("amount", flat=True))


def post(committing, **what) -> Comment:
    with committing():
        return comment_post(**what)


# --- Moderators hide a comment -----------------------------------------------------------------


def test_hiding_a_comment_takes_back_its_achievement_and_xp(rules, committing, learner, lesson):
    comment = post(committing, author=learner, lesson=lesson, body="Spam, spam, spam")
    assert earned(learner) == {"first-word"} and xp(learner) == 10
    with committing():
        comments_hide(comments=[comment])
    assert earned(learner) == set()
    assert xp(learner) == 0
    assert not LearnerEvent.objects.filter(user=learner).exists()


def test_restoring_the_comment_gives_it_back(rules, committing, learner, lesson):
    comment = post(committing, author=learner, lesson=lesson, body="Fine after all")
    with committing():
        comments_hide(comments=[comment])
    with committing():
        comments_restore(comments=[comment])
    assert earned(learner) == {"first-word"} and xp(learner) == 10
    assert LearnerEvent.objects.filter(user=learner, key=f"comment:{comment.pk}").count() == 1


def test_achievements_other_comments_still_earn_stay(rules, committing, learner, lesson):
    comments = [
        post(committing, author=learner, lesson=lesson, body=f"Comment {n}") for n in range(4)
    ]
    assert earned(learner) == {"first-word", "regular-voice", "kindled"}
    with committing():
        comments_hide(comments=comments[:1])
    assert earned(learner) == {"first-word", "regular-voice", "kindled"}  # three still stand
    with committing():
        comments_hide(comments=comments[1:2])
    # Two left: "regular voice" goes with its XP, and the level it reached goes with it.
    assert earned(learner) == {"first-word"}
    assert xp(learner) == 10


def test_a_level_reached_on_lessons_stays(rules, committing, learner, lesson):
    lesson_complete(user=learner, lesson=lesson)  # 50 XP: level 2
    comments = [post(committing, author=learner, lesson=lesson, body=f"C{n}") for n in range(3)]
    assert {"kindled", "glowing", "regular-voice"} <= earned(learner)
    with committing():
        comments_hide(comments=comments)
    assert earned(learner) == {"kindled", "glowing"}
    assert xp(learner) == 50


def test_hiding_a_reply_takes_back_the_reply_received(rules, committing, learner, jun, lesson):
    question = post(committing, author=learner, lesson=lesson, body="Question")
    reply = post(committing, author=jun, lesson=lesson, body="Rude answer", parent=question)
    assert "conversation-starter" in earned(learner)
    with committing():
        comments_hide(comments=[reply])
    assert earned(learner) == {"first-word"}
    assert earned(jun) == set()
    assert xp(learner) == 10 and xp(jun) == 0


def test_hiding_a_comment_takes_back_the_replies_it_drew(rules, committing, learner, jun, lesson):
    bait = post(committing, author=learner, lesson=lesson, body="Provocation")
    post(committing, author=jun, lesson=lesson, body="That is not nice", parent=bait)
    assert "conversation-starter" in earned(learner)
    with committing():
        comments_hide(comments=[bait])
    assert earned(learner) == set() and xp(learner) == 0
    assert earned(jun) == {"first-word"}  # Jun's reply still stands
    with committing():
        comments_restore(comments=[bait])
    assert earned(learner) == {"first-word", "conversation-starter"}


def test_a_comment_hidden_by_flags_keeps_what_it_earned(rules, committing, learner, lesson):
    comment = post(committing, author=learner, lesson=lesson, body="Under review")
    Comment.objects.filter(pk=comment.pk).update(moderation=Moderation.AWAITING_REVIEW)
    with committing():
        comments_restore(comments=[comment])
    assert earned(learner) == {"first-word"} and xp(learner) == 10


# --- Authors delete their own comments ---------------------------------------------------------


def test_deleting_your_comment_takes_back_what_it_earned(rules, committing, learner, lesson):
    comment = post(committing, author=learner, lesson=lesson, body="Oops")
    with committing():
        comment_delete(comment=comment)
    assert earned(learner) == set() and xp(learner) == 0


def test_posting_and_deleting_over_and_over_earns_nothing(rules, committing, learner, lesson):
    for number in range(6):
        comment = post(committing, author=learner, lesson=lesson, body=f"Farm {number}")
        with committing():
            comment_delete(comment=comment)
    assert earned(learner) == set()
    assert xp(learner) == 0
    assert not LearnerEvent.objects.filter(user=learner).exists()


def test_replies_farmed_by_a_friend_who_deletes_them_earn_nothing(
    rules, committing, learner, jun, lesson
):
    question = post(committing, author=learner, lesson=lesson, body="Question")
    for number in range(4):
        reply = post(committing, author=jun, lesson=lesson, body=f"+1 ({number})", parent=question)
        with committing():
            comment_delete(comment=reply)
    assert earned(learner) == {"first-word"}
    assert not LearnerEvent.objects.filter(user=learner, kind="replies_received").exists()


# --- The service itself ------------------------------------------------------------------------


def test_withdrawing_returns_what_was_revoked(rules, learner):
    event_record(user=learner, kind="comments_posted", key="comment:1")
    revoked = event_withdraw(user=learner, kind="comments_posted", key="comment:1")
    assert [a.slug for a in revoked] == ["first-word"]


def test_withdrawing_twice_or_an_unknown_event_changes_nothing(rules, learner):
    event_record(user=learner, kind="comments_posted", key="comment:1")
    event_record(user=learner, kind="comments_posted", key="comment:2")
    event_withdraw(user=learner, kind="comments_posted", key="comment:1")
    assert event_withdraw(user=learner, kind="comments_posted", key="comment:1") == []
    assert event_withdraw(user=learner, kind="comments_posted", key="comment:99") == []
    assert event_withdraw(user=learner, kind="replies_received", key="comment:2") == []
    assert earned(learner) == {"first-word"} and xp(learner) == 10


def test_other_learners_keep_theirs(rules, learner, jun):
    for user in (learner, jun):
        event_record(user=user, kind="comments_posted", key=f"comment:{user.pk}")
    event_withdraw(user=learner, kind="comments_posted", key=f"comment:{learner.pk}")
    assert earned(jun) == {"first-word"} and xp(jun) == 10


def test_achievements_lapsed_for_other_reasons_stay(rules, learner, lesson):
    completionist = achievement("completionist", Rule.ALL_LESSONS, xp=0)
    lesson_complete(user=learner, lesson=lesson)
    assert completionist.slug in earned(learner)
    # A new lesson appears: no longer "every lesson", but that is not the comment's doing.
    Lesson.objects.create(
        course=lesson.course, slug="two", title="Two", order=2, status=Status.PUBLISHED,
        body_md="y",
    )  # fmt: skip
    event_record(user=learner, kind="comments_posted", key="comment:1")
    event_withdraw(user=learner, kind="comments_posted", key="comment:1")
    assert "completionist" in earned(learner)


def test_a_level_achievement_lapsed_by_a_new_curve_stays(rules, learner):
    for n in range(3):
        event_record(user=learner, kind="comments_posted", key=f"comment:{n}")
    assert "kindled" in earned(learner)  # 20 XP: level 1
    Level.objects.filter(number=1).update(xp_required=1000)
    Level.objects.filter(number=2).update(xp_required=2000)
    event_record(user=learner, kind="comments_posted", key="comment:3")
    event_withdraw(user=learner, kind="comments_posted", key="comment:3")
    # Still three comments: nothing of theirs lapsed, and the curve's change is not revoked here.
    assert earned(learner) == {"first-word", "regular-voice", "kindled"}


def test_revoked_before_it_was_announced_is_never_announced(rules, committing, learner, lesson):
    comment = post(committing, author=learner, lesson=lesson, body="Quick")
    with committing():
        comments_hide(comments=[comment])
    assert announcements_take(user=learner) == []


def test_the_xp_ledger_keeps_other_entries(rules, committing, learner, lesson):
    lesson_complete(user=learner, lesson=lesson, at=timezone.now() - timedelta(days=1))
    comment = post(committing, author=learner, lesson=lesson, body="Hello")
    with committing():
        comments_hide(comments=[comment])
    sources = set(XPEntry.objects.filter(user=learner).values_list("source", flat=True))
    assert sources == {f"lesson:{lesson.pk}"}
    assert xp(learner) == lesson.xp
