"""The thread is rendered once per change, cached, and drawn for each reader with their own
controls; every change to it shows on the very next request."""

import itertools
import re
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.signals import template_rendered
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comments.models import Comment, CommentFlag, Moderation
from comments.services import (
    comment_delete,
    comment_edit,
    comment_flag,
    comment_moderation_set,
    comment_post,
    comments_hide,
    comments_restore,
    flag_withdraw,
    flags_dismiss,
)
from comments.threads import THREADS_PER_PAGE
from lessons.caching import versions
from tests.comments.conftest import make_thread
from tests.conftest import learner_make

pytestmark = pytest.mark.django_db

# --- Reading a page as a browser would ---------------------------------------------------------

COMMENT = re.compile(r'<li class="comment[^"]*" id="comment-(\d+)">(.*?)</li>', re.S)
# What each control is called, for screen readers too (its accessible name), by its address.
NAMED = {
    "reply": ('aria-label="Reply to ', "comments:comment", "#actions"),
    "edit": ('aria-label="Edit your comment"', "comments:edit", ""),
    "delete": ('aria-label="Delete your comment"', "comments:delete", ""),
    "flag": ('aria-label="Flag this comment"', "comments:flag", ""),
    "withdraw": (">Withdraw flag</a>", "comments:flag-withdraw-confirm", ""),
}


def named_controls(pk: str, body: str) -> set[str]:
    """The controls a comment's HTML offers, each a link named for what it does and leading
    where its name says: reply, edit, delete, flag, withdraw, and flagged ("You flagged this.")."""
    found = set()
    for name, (label, url_name, fragment) in NAMED.items():
        href = f'href="{reverse(url_name, args=[pk])}{fragment}"'
        if re.search(f"<a {re.escape(href)}[^>]*{re.escape(label)}", body):
            found.add(name)
    if "You flagged this." in body:
        found.add("flagged")
    return found


def controls(html: str) -> dict[int, set[str]]:
    """What each comment on a lesson page offers this reader (see `named_controls`)."""
    section = html[html.index('id="comments"') :]
    return {int(pk): named_controls(pk, body) for pk, body in COMMENT.findall(section)}


def actions(client: Client, pk: int) -> set[str]:
    """What the comment's own page (where "Reply" leads) lets this reader do with it: its
    controls, the reply form (reply) or an invitation to sign in (signin)."""
    response = client.get(reverse("comments:comment", args=[pk]))
    assert response.status_code == 200
    page = response.content.decode()
    focus = page[page.index(f'id="comment-{pk}"') :]
    focus = focus[: focus.index("</li>")]
    found = named_controls(str(pk), focus) - {"reply"}
    if f'action="{reverse("comments:reply", args=[pk])}"' in focus:
        found.add("reply")
    if "discussion__signin" in focus:
        found.add("signin")
    return found


def shared(html: str) -> str:
    """The thread with each comment's controls left out: what is the same for every reader."""
    return re.sub(r"(>Reply</a>).*?(</p></li>)", r"\1\2", thread_html(html), flags=re.S)


def thread_html(html: str) -> str:
    """The cached part of the page: the thread itself, the same for everyone."""
    start = html.index('<ol class="thread">')
    return html[start : html.index("</ol>", start)]


def page_of(client: Client, lesson) -> str:
    response = client.get(lesson.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def anonymous() -> Client:
    """A reader who is not signed in (pytest-django's `client` is Mina's in the `mina` fixture)."""
    return Client()


@pytest.fixture
def thread_renders():
    """How often the thread itself went through the template engine."""
    names: list[str] = []

    def seen(sender, template, **kwargs):
        names.append(template.name)

    template_rendered.connect(seen)
    yield lambda: names.count("comments/_thread_list.html")
    template_rendered.disconnect(seen)


def flaggers(count: int) -> list:
    """Learners whose flags count toward hiding (as in test_flags, which imports from here)."""
    users = []
    for n in range(count):
        user = get_user_model().objects.create_user(
            username=f"flagger{n}",
            email=f"flagger{n}@example.com",
            date_joined=timezone.now() - timedelta(days=30),
        )
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        users.append(user)
    return users


# --- Rendered once, reused -------------------------------------------------------------------


def test_the_thread_is_rendered_once_for_every_reader(
    anonymous, mina, jun, learner, other_learner, lesson, thread_renders
):
    make_thread(lesson, [learner, other_learner], 30)
    first = page_of(anonymous, lesson)
    assert thread_renders() == 1
    pages = [page_of(reader, lesson) for reader in (anonymous, mina, jun, mina)]
    assert thread_renders() == 1
    assert {shared(page) for page in [first, *pages]} == {shared(first)}


def test_a_fresh_thread_costs_two_queries_whatever_its_size(mina, learner, other_learner, lesson):
    url = lesson.get_absolute_url()
    mina.get(url)
    versions.bump(f"reader:{learner.pk}")  # her own parts drawn again, the page kept
    with CaptureQueriesContext(connection) as warm:
        mina.get(url)
    make_thread(lesson, [learner, other_learner], 300)
    versions.bump(f"lesson:{lesson.pk}")
    with CaptureQueriesContext(connection) as cold:
        mina.get(url)
    # The counts, and the newest page's threads with all their replies: not one per comment.
    assert len(cold) == len(warm) + 2


# --- Every change shows on the next request ----------------------------------------------------


def test_new_edited_hidden_and_deleted_comments_show_at_once(
    anonymous, mina, learner, other_learner, lesson, django_capture_on_commit_callbacks
):
    def after(change: Callable[[], object]) -> str:
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return re.sub(r"\s+", " ", page_of(anonymous, lesson))

    first = comment_post(author=learner, lesson=lesson, body="First thought")
    page_of(anonymous, lesson)  # cached now
    page = after(lambda: comment_post(author=other_learner, lesson=lesson, body="Second thought"))
    assert "Second thought" in page and "Comments 2" in page
    page = after(lambda: comment_edit(comment=first, body="First thought, better put"))
    assert "First thought, better put" in page and ">edited</span>" in page
    page = after(lambda: comments_hide(comments=[first]))
    assert "better put" not in page and "Comments 1" in page
    page = after(lambda: comments_restore(comments=[first]))
    assert "better put" in page and "Comments 2" in page
    second = Comment.objects.get(body="Second thought")
    page = after(lambda: comment_delete(comment=second))
    assert "Second thought" not in page and "Comments 1" in page
    # Through the pages themselves, as learners do it.
    with django_capture_on_commit_callbacks(execute=True):
        mina.post(reverse("comments:edit", args=[first.pk]), {"body": "Edited on the page"})
    assert "Edited on the page" in page_of(anonymous, lesson)


def lesson_version(lesson) -> str:
    return versions.current(f"lesson:{lesson.pk}")


@pytest.fixture
def bumps(lesson, django_capture_on_commit_callbacks):
    """bumps(change): whether `change` moved the lesson's version, once committed."""

    def changed(change: Callable[[], object]) -> bool:
        before = lesson_version(lesson)
        with django_capture_on_commit_callbacks(execute=True):
            change()
        return lesson_version(lesson) != before

    return changed


def test_every_change_to_a_thread_bumps_its_lesson(settings, bumps, learner, lesson):
    settings.COMMENTS_FLAGS_TO_HIDE = 2
    comment = comment_post(author=learner, lesson=lesson, body="Hello")
    assert bumps(lambda: comment_post(author=learner, lesson=lesson, body="Again"))
    assert bumps(lambda: comment_edit(comment=comment, body="Hello there"))

    first, second = flaggers(2)
    # One flag changes nothing that every reader sees (the flagger's own controls are drawn
    # per request); the flag that hides the comment does.
    assert not bumps(lambda: comment_flag(comment=comment, user=first, reason="spam"))
    assert bumps(lambda: comment_flag(comment=comment, user=second, reason="spam"))
    flag = CommentFlag.objects.get(user=second)
    assert bumps(lambda: flag_withdraw(flag=flag))  # shown again
    assert bumps(lambda: comment_flag(comment=comment, user=second, reason="spam"))
    assert bumps(lambda: flags_dismiss(comments=Comment.objects.filter(pk=comment.pk)))

    assert bumps(lambda: comments_hide(comments=[comment]))
    assert bumps(lambda: comments_restore(comments=Comment.objects.filter(pk=comment.pk)))
    for moderation in (Moderation.AWAITING_REVIEW, Moderation.HIDDEN, Moderation.VISIBLE):
        assert bumps(partial(comment_moderation_set, comment=comment, moderation=moderation))
    assert bumps(lambda: comment_delete(comment=comment))
    assert bumps(lambda: Comment.objects.filter(pk=comment.pk).delete())


def test_staff_moderating_in_admin_bumps_the_lesson(admin_client, bumps, learner, lesson):
    comment = comment_post(author=learner, lesson=lesson, body="Borderline")
    url = reverse("admin:comments_comment_change", args=[comment.pk])

    def moderate() -> None:
        response = admin_client.post(
            url, {"moderation": Moderation.HIDDEN, "flags-TOTAL_FORMS": 0, "flags-INITIAL_FORMS": 0}
        )
        assert response.status_code == 302

    assert bumps(moderate)
    comment.refresh_from_db()
    assert comment.moderation == Moderation.HIDDEN


def test_a_learner_renaming_themselves_bumps_the_lessons_they_commented_on(
    bumps, learner, other_learner, lesson, anonymous, django_capture_on_commit_callbacks
):
    comment_post(author=learner, lesson=lesson, body="Hi")
    page_of(anonymous, lesson)
    profile = learner.learner_profile

    def rename() -> None:
        profile.display_name = "Mina K."
        profile.save()

    assert bumps(rename)
    assert "Mina K." in page_of(anonymous, lesson)
    # Someone who never commented here changes nothing here; nor does a language switch.
    other = other_learner.learner_profile
    other.display_name = "Jun P."
    assert not bumps(other.save)
    profile.language = "en"
    assert not bumps(lambda: profile.save(update_fields=["language"]))


def test_a_deleted_account_shows_as_deleted_user_at_once(bumps, learner, lesson, anonymous):
    comment_post(author=learner, lesson=lesson, body="Bye")
    assert "Mina" in page_of(anonymous, lesson)
    assert bumps(learner.delete)
    page = page_of(anonymous, lesson)
    assert "deleted user" in page and "Mina" not in page


def test_becoming_staff_shows_the_team_badge(bumps, learner, lesson, anonymous):
    comment_post(author=learner, lesson=lesson, body="Official answer")
    assert "Stream team" not in page_of(anonymous, lesson)
    learner.is_staff = True
    assert bumps(learner.save)
    assert "Stream team" in page_of(anonymous, lesson)
    # Signing in saves last_login only: no redraw.
    learner.last_login = timezone.now()
    assert not bumps(lambda: learner.save(update_fields=["last_login"]))


# --- Each reader's own controls ----------------------------------------------------------------


@pytest.fixture
def conversation(learner, other_learner, lesson):
    """Mina's comment and Jun's reply, an old comment of Mina's past the edit window, and a
    comment by Jun that Mina has flagged."""
    mine = comment_post(author=learner, lesson=lesson, body="Mina asks")
    reply = comment_post(author=other_learner, lesson=lesson, body="Jun answers", parent=mine)
    old = comment_post(author=learner, lesson=lesson, body="Mina long ago")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=2))
    flagged = comment_post(author=other_learner, lesson=lesson, body="Jun rants")
    comment_flag(comment=flagged, user=learner, reason="rude")
    return {"mine": mine.pk, "reply": reply.pk, "old": old.pk, "flagged": flagged.pk}


# On the lesson page: "Reply" on every comment, and what each reader may do besides.
EXPECTED = {
    "mina": {
        "mine": {"reply", "edit", "delete"},
        "reply": {"reply", "flag"},
        "old": {"reply", "delete"},
        "flagged": {"reply", "flagged", "withdraw"},
    },
    "jun": {
        "mine": {"reply", "flag"},
        "reply": {"reply", "edit", "delete"},
        "old": {"reply", "flag"},
        "flagged": {"reply", "edit", "delete"},
    },
    # "Reply" and "Flag" lead a reader who is not signed in to signing in.
    "anonymous": dict.fromkeys(["mine", "reply", "old", "flagged"], {"reply", "flag"}),
}
# On the comment's own page the same, "reply" being the reply form (or the sign-in invitation).
ON_ITS_PAGE = {
    "mina": EXPECTED["mina"],
    "jun": EXPECTED["jun"],
    "anonymous": dict.fromkeys(["mine", "reply", "old", "flagged"], {"signin", "flag"}),
}


@pytest.mark.parametrize("order", list(itertools.permutations(["mina", "jun", "anonymous"])))
def test_each_reader_gets_their_own_controls_in_any_order(
    order, conversation, mina, jun, anonymous, lesson
):
    readers = {"mina": mina, "jun": jun, "anonymous": anonymous}
    for name in [*order, *order]:  # the second round reads the cached thread
        seen = controls(page_of(readers[name], lesson))
        expected = {conversation[key]: shown for key, shown in EXPECTED[name].items()}
        assert seen == expected, name
    for name, reader in readers.items():
        for key, shown in ON_ITS_PAGE[name].items():
            assert actions(reader, conversation[key]) == shown, (name, key)


def test_anonymous_readers_get_one_page_with_nothing_of_anyones(conversation, anonymous, lesson):
    page = page_of(anonymous, lesson)
    assert "<style" not in page and "discussion--signed-in" not in page
    assert "csrfmiddlewaretoken" not in page[page.index('id="comments"') :]
    assert page_of(Client(), lesson) == page


def test_the_edit_link_goes_when_the_window_closes_even_from_the_cache(
    settings, monkeypatch, mina, learner, lesson
):
    comment = comment_post(author=learner, lesson=lesson, body="Quick")
    assert "edit" in controls(page_of(mina, lesson))[comment.pk]
    assert "edit" in actions(mina, comment.pk)
    later = comment.editable_until + timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert "edit" not in controls(page_of(mina, lesson))[comment.pk]
    assert "edit" not in actions(mina, comment.pk)


def test_withdrawing_a_flag_from_the_thread_works_without_javascript(
    mina, jun, learner, other_learner, lesson
):
    comment = comment_post(author=other_learner, lesson=lesson, body="Hmm")
    comment_flag(comment=comment, user=learner, reason="off_topic")
    flag = CommentFlag.objects.get()
    url = reverse("comments:flag-withdraw-confirm", args=[comment.pk])
    assert "flagged" in controls(page_of(mina, lesson))[comment.pk]
    own_page = mina.get(reverse("comments:comment", args=[comment.pk])).content.decode()
    assert f'href="{url}"' in own_page
    form = mina.get(url).content.decode()
    assert f'action="{reverse("comments:flag-withdraw", args=[flag.pk])}"' in form
    assert jun.get(url).status_code == 404  # Jun has no flag on it
    mina.post(reverse("comments:flag-withdraw", args=[flag.pk]))
    assert not CommentFlag.objects.exists()
    assert "flagged" not in controls(page_of(mina, lesson))[comment.pk]
    assert actions(mina, comment.pk) == {"reply", "flag"}


# --- Long threads ------------------------------------------------------------------------------


def make_long_thread(lesson, authors, size: int) -> None:
    """`size` comments in two inserts: half start threads, each of the others answers one."""
    now = timezone.now() - timedelta(days=1)
    tops = Comment.objects.bulk_create(
        Comment(
            lesson=lesson,
            author=authors[n % len(authors)],
            body=f"Thread {n}",
            body_html=f"<p>Thread {n}</p>",
            created_at=now + timedelta(seconds=n),
        )
        for n in range(size // 2)
    )
    Comment.objects.bulk_create(
        Comment(
            lesson=lesson,
            author=authors[(n + 1) % len(authors)],
            parent=top,
            body=f"Answer to {n}",
            body_html=f"<p>Answer to {n}</p>",
            created_at=top.created_at + timedelta(milliseconds=500),
        )
        for n, top in enumerate(tops)
    )


def test_a_10000_comment_thread_makes_a_light_page_with_older_pages(
    anonymous, mina, learner, other_learner, lesson
):
    make_long_thread(lesson, [learner, other_learner], 10_000)
    response = anonymous.get(lesson.get_absolute_url())
    page = response.content.decode()
    assert len(response.content) < 80 * 1024
    assert "Comments 10000" in page
    assert page.count('class="comment ') == 2 * THREADS_PER_PAGE
    # The newest threads, oldest first within the page.
    first = 5_000 - THREADS_PER_PAGE  # the oldest thread on the lesson page
    assert page.index(f"Thread {first}<") < page.index(f"Answer to {first}<")
    assert page.index(f"Answer to {first}<") < page.index("Thread 4999<")
    assert f"Thread {first - 1}<" not in page
    older = reverse("comments:thread-page", args=[lesson.course.slug, lesson.slug, 2])
    assert f'href="{older}#comments"' in page and "Show older comments" in page

    second = anonymous.get(older).content.decode()
    assert f"Thread {first - THREADS_PER_PAGE}<" in second and f"Thread {first - 1}<" in second
    assert f"Thread {first}<" not in second
    assert "Comments 10000" in second and f'href="{lesson.get_absolute_url()}#comments"' in second
    last = 10_000 // 2 // THREADS_PER_PAGE
    last_url = reverse("comments:thread-page", args=[lesson.course.slug, lesson.slug, last])
    assert "Thread 0" in anonymous.get(last_url).content.decode()
    beyond = reverse("comments:thread-page", args=[lesson.course.slug, lesson.slug, last + 1])
    assert anonymous.get(beyond).status_code == 404
    # Signed-in readers get their controls on older pages too.
    assert controls(mina.get(older).content.decode())


def test_replying_on_an_older_page_lands_on_that_page(jun, learner, other_learner, lesson):
    make_long_thread(lesson, [learner, other_learner], 2 * (THREADS_PER_PAGE + 5))
    oldest = Comment.objects.get(body="Thread 0")
    response = jun.post(reverse("comments:reply", args=[oldest.pk]), {"body": "Late answer"})
    reply = Comment.objects.get(body="Late answer")
    older = reverse("comments:thread-page", args=[lesson.course.slug, lesson.slug, 2])
    assert response["Location"] == f"{older}#comment-{reply.pk}"


# --- The whole page's query budget -------------------------------------------------------------


def queries_for(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [query["sql"] for query in captured]


def test_a_learners_lesson_page_costs_the_same_at_0_and_200_comments(
    learner, other_learner, lesson, django_assert_max_num_queries
):
    reader = learner_make("ria", "ria@example.com", "learner-pass-44", "Ria")
    browser = Client()
    browser.force_login(reader)
    url = lesson.get_absolute_url()
    browser.get(url)  # first visit: session, announcements
    counts = []
    for size in (0, 200):
        make_thread(lesson, [learner, other_learner], size)
        versions.bump(f"lesson:{lesson.pk}")
        browser.get(url)  # builds the thread's cached copy
        with django_assert_max_num_queries(10):  # the bound; 6 today
            counts.append(len(queries_for(browser, url)))
    assert counts[0] == counts[1]


def test_the_thread_costs_a_signed_in_reader_one_query_when_cached(
    mina, learner, other_learner, lesson
):
    make_thread(lesson, [learner, other_learner], 200)
    url = lesson.get_absolute_url()
    mina.get(url)

    def thread_queries() -> list[str]:
        return [
            sql
            for sql in queries_for(mina, url)
            if "comments_comment" in sql or "comments_threadsubscription" in sql
        ]

    versions.bump(f"reader:{learner.pk}")  # as after anything she sends: her parts drawn again
    assert len(thread_queries()) == 1
    assert thread_queries() == []  # and kept while nothing changes (lessons.caching.shells)
