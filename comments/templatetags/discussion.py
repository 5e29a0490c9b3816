"""The discussion under a lesson, loaded by the lesson template itself (courses' view is unaware).

The thread looks the same to every reader, so each page of it is rendered once per change and
kept in the cache as HTML, keyed on the lesson's version (lessons.caching.versions:
comments.services bumps it after every change), the language, the time zone and the page.
Building a page costs two queries whatever the thread's size: the counts, and the comments of
that page's threads.

What differs per reader is drawn around it on every request, without touching the cached HTML:
the header's forms (they carry a CSRF token) and a few CSS rules. Each comment carries one link,
"Reply", to its own page (comments.views.comment_detail), which draws every action this reader
may take on it, server-side and without JavaScript: the reply form, edit, delete, flag or
withdraw a flag. The rules label that link, for this reader, on their own comments ("Edit ·
Delete" while the edit window is open) and on those they have flagged. A signed-in reader costs
one query for that (their pending flags and reply-notification state); an anonymous reader none,
and gets exactly the same HTML as every other anonymous reader.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from comments import rules
from comments.models import Comment, CommentFlag, FlagResolution, Moderation, ThreadSubscription
from courses.cache_names import lesson_page
from courses.models import Lesson
from lessons.caching import store as cache
from lessons.caching import versions
from lessons.caching.shells import changes_at

register = template.Library()

# Top-level comments per page, each with its first replies (rules.REPLIES_SHOWN; the rest on the
# thread's own page): a screenful of the newest conversations, and a lesson page that stays
# under 80 KB with comments of any length learners write (tests/comments/test_page_size.py).
THREADS_PER_PAGE = 20
# An old copy is never read again once the version moves on; this only bounds its stay.
FRAGMENT_TIMEOUT = 24 * 3600

SHOWN = Q(is_removed=False, moderation=Moderation.VISIBLE)


def _threads(lesson: Lesson | int) -> QuerySet:
    """The lesson's top-level comments that show something: themselves, or a reply below.

    (A gone comment stays as a placeholder only for shown replies; one whose replies are all
    gone too is counted here but draws nothing, which is rare enough not to cost a deeper query.)
    """
    replies = Comment.objects.filter(parent=OuterRef("pk"))
    return Comment.objects.filter(lesson=lesson, parent=None).filter(SHOWN | Exists(replies))


def _thread_counts(lesson: Lesson) -> dict[str, int]:
    """Shown comments (the count in the heading) and threads (for the pages), in one query."""
    replies = Comment.objects.filter(parent=OuterRef("pk"))
    return Comment.objects.filter(lesson=lesson).aggregate(
        shown=Count("pk", filter=SHOWN),
        threads=Count("pk", filter=Q(parent=None) & (SHOWN | Exists(replies))),
    )


def _page_comments(lesson: Lesson, page: int) -> list[Comment]:
    """One page of threads, newest threads first by page, oldest first within it: the page's
    top-level comments and every reply below them, at any depth, in one query."""
    offset = (page - 1) * THREADS_PER_PAGE
    tops = _threads(lesson).order_by("-created_at", "-id").values("id")
    tops_sql, tops_params = tops[offset : offset + THREADS_PER_PAGE].query.sql_with_params()
    quote = connection.ops.quote_name
    table, parent = _comment_table_and_parent()
    # Replies are found by walking down from the page's threads, so the query reads only
    # this page's rows however long the rest of the thread is.
    tree = (
        f"WITH RECURSIVE page_tops AS ({tops_sql}), "
        f"page_tree(id) AS (SELECT id FROM page_tops UNION ALL "
        f"SELECT reply.id FROM {table} reply JOIN page_tree ON reply.{parent} = page_tree.id) "
        f"SELECT id FROM page_tree"
    )
    in_page = RawSQL(f"{table}.{quote('id')} IN ({tree})", tops_params, BooleanField())
    return list(
        Comment.objects.filter(in_page)
        .select_related("author__learner_profile")
        # The thread shows body_html; the markdown source can be as long again.
        .defer("body")
        .order_by("created_at", "id")
    )


def _comment_table_and_parent() -> tuple[str, str]:
    """The quoted names the thread's recursive queries walk: the table and its parent column."""
    quote = connection.ops.quote_name
    return quote(Comment._meta.db_table), quote(Comment._meta.get_field("parent").column)


def root_of(comment: Comment) -> Comment:
    """The top-level comment of `comment`'s thread (itself if it is one), in one query."""
    if comment.parent_id is None:
        return comment
    table, parent = _comment_table_and_parent()
    ancestors = (
        f"WITH RECURSIVE up(id, parent_id) AS (SELECT id, {parent} FROM {table} WHERE id = %s "
        f"UNION ALL SELECT c.id, c.{parent} FROM {table} c JOIN up ON c.id = up.parent_id) "
        f"SELECT id FROM up WHERE parent_id IS NULL"
    )
    is_root = RawSQL(
        f"{table}.{connection.ops.quote_name('id')} IN ({ancestors})", [comment.pk], BooleanField()
    )
    return (
        Comment.objects.filter(is_root).select_related("author__learner_profile").first() or comment
    )


def conversation(root: Comment) -> list[Comment]:
    """A thread whole: `root` and every reply below it at any depth, oldest first, one query."""
    table, parent = _comment_table_and_parent()
    tree = (
        f"WITH RECURSIVE down(id) AS (SELECT id FROM {table} WHERE id = %s UNION ALL "
        f"SELECT reply.id FROM {table} reply JOIN down ON reply.{parent} = down.id) "
        f"SELECT id FROM down"
    )
    in_tree = RawSQL(
        f"{table}.{connection.ops.quote_name('id')} IN ({tree})", [root.pk], BooleanField()
    )
    return list(
        Comment.objects.filter(in_tree)
        .select_related("author__learner_profile")
        .defer("body")
        .order_by("created_at", "id")
    )


def page_of(comment: Comment) -> int | None:
    """The page of its lesson's thread that shows `comment` (1: the lesson page itself), or None
    for a reply folded away there (rules.fold): only its thread's own page shows it."""
    root = root_of(comment)
    if root.pk != comment.pk:
        kept = {entry.comment.pk for entry in rules.fold(rules.thread_entries(conversation(root)))}
        if comment.pk not in kept:
            return None
    newer = (
        _threads(comment.lesson_id)
        .filter(Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, id__gt=root.pk))
        .count()
    )
    return 1 + newer // THREADS_PER_PAGE


def _fragment_key(lesson: Lesson, page: int) -> str:
    version = versions.current(versions.CONTENT, lesson_page(lesson.pk))
    language = translation.get_language() or ""
    zone = timezone.get_current_timezone_name()
    return f"comments:thread:{lesson.pk}:{version}:{language}:{zone}:{page}"


def thread_page(lesson: Lesson, page: int) -> dict[str, Any] | None:
    """The rendered page of the thread with what the reader's controls need (see
    `_build_page`), from the cache or built and kept there; None when there is no such page."""
    key = _fragment_key(lesson, page)
    built = cache.get(key)
    if built is None:
        built = _build_page(lesson, page)
        if built is not None:
            cache.set(key, built, timeout=FRAGMENT_TIMEOUT)
    return built


def _build_page(lesson: Lesson, page: int) -> dict[str, Any] | None:
    counts = _thread_counts(lesson)
    pages = max(1, -(-counts["threads"] // THREADS_PER_PAGE))
    if page > pages:
        return None
    comments = _page_comments(lesson, page) if counts["threads"] else []
    entries = rules.fold(rules.thread_entries(comments))
    now = timezone.now()
    return {
        "html": render_to_string(
            "comments/_thread_list.html",
            {"lesson": lesson, "entries": entries, "page": page, "pages": pages},
        ),
        "count": counts["shown"],
        "pages": pages,
        # Comments whose authors may still edit them: the reader's own among these get an
        # "Edit" link until the window closes, with no query (the copy may outlive the window).
        "editable": [
            (entry.comment.pk, entry.comment.author_id, entry.comment.editable_until.timestamp())
            for entry in entries
            if entry.comment.is_shown
            and entry.comment.author_id is not None
            and entry.comment.editable_until > now
        ],
    }


# Markers among the comment ids _reader_state reads (ids are positive).
_MUTED, _SUBSCRIBED, _TOOK_PART = 0, -1, -2


def _reader_state(user: AbstractBaseUser, lesson_id: int) -> tuple[list[int], bool]:
    """The comments on this lesson the reader has flagged (staff have not reviewed them yet),
    and whether they hear about replies here (comments.services.replies_wanted: their own choice,
    else whether they took part), in one query: the choice and the taking part come back as
    markers among the comment ids."""
    flagged = (
        CommentFlag.objects.filter(
            user=user, comment__lesson_id=lesson_id, resolution=FlagResolution.PENDING
        )
        .order_by()
        .values_list("comment_id", flat=True)
    )
    choice = (
        ThreadSubscription.objects.filter(user=user, lesson_id=lesson_id)
        .order_by()
        .annotate(
            marker=Case(
                When(is_active=True, then=Value(_SUBSCRIBED)),
                default=Value(_MUTED),
                output_field=BigIntegerField(),
            )
        )
        .values_list("marker", flat=True)
    )
    # One row however many comments: grouped, since SQLite refuses a LIMIT inside a UNION.
    took_part = (
        Comment.objects.filter(author=user, lesson_id=lesson_id)
        .order_by()
        .values("author")
        .annotate(comments=Count("id"))
        .annotate(marker=Value(_TOOK_PART, output_field=BigIntegerField()))
        .values_list("marker", flat=True)
    )
    ids = list(flagged.union(choice, took_part, all=True))
    wanted = _SUBSCRIBED in ids or (_TOOK_PART in ids and _MUTED not in ids)
    return [pk for pk in ids if pk > 0], wanted


def _css_string(text: str) -> str:
    """`text` as a CSS string inside the page's <style>: nothing in it can close either."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("<", "\\3c ")
    return '"' + escaped.replace("\n", " ") + '"'


def reader_controls(
    *, user: AbstractBaseUser, editable: list[tuple[int, int, float]], flagged: list[int]
) -> SafeString:
    """CSS that labels, for this reader, the "Reply" link of their own comments (what its page
    offers them beyond replying) and of the comments they have flagged.

    Only numbers (the reader's id, comment ids) and our own translated words, escaped as CSS
    strings, go into it, so it is safe to print as is.
    """
    me = int(user.pk)
    now = timezone.now().timestamp()
    more = "> a::after"  # the comment's "Reply" link (comments/_comment.html)
    delete = _css_string(" · " + gettext("Delete") + " ⋯")
    edit = _css_string(" · " + gettext("Edit") + " · " + gettext("Delete") + " ⋯")
    flagged_label = _css_string(" · " + gettext("You flagged this.") + " ⋯")
    rules_ = [f'.comment[data-author="{me}"] {more}{{content:{delete}}}']
    rules_ += [
        f"#comment-{pk} {more}{{content:{edit}}}"
        for pk, author_id, until in editable
        if author_id == me and now < until
    ]
    rules_ += [f"#comment-{pk} {more}{{content:{flagged_label}}}" for pk in sorted(flagged)]
    return mark_safe("\n".join(rules_))  # noqa: S308 - numbers and escaped strings, see above


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def lesson_discussion(context: template.Context, lesson: Lesson, page: int = 1) -> dict[str, Any]:
    """The lesson's discussion: a cached page of the thread, with this reader's header and
    controls (`discussion_reader`, a personal part: lessons.caching.shells) and the comment form.
    Nothing for a page past the end (the page view answers 404 before)."""
    built = thread_page(lesson, page)
    if built is None:
        return {"thread": None}
    return {
        "lesson": lesson,
        "thread": mark_safe(built["html"]),  # noqa: S308 - rendered by our own template
        "count": built["count"],
        "editable": built["editable"],
        "signed_in": context["request"].user.is_authenticated,
        "request": context["request"],
    }


@register.inclusion_tag("comments/_discussion_reader.html", takes_context=True)
def discussion_reader(
    context: template.Context,
    lesson_id: int,
    course_slug: str,
    lesson_slug: str,
    count: int,
    editable: list[tuple[int, int, float]],
) -> dict[str, Any]:
    """The discussion's header for this reader (the reply-notification switch, or an invitation
    to sign in) and the CSS that labels their own and flagged comments."""
    user = context["request"].user
    signed_in = user.is_authenticated
    controls, notify = "", False
    if signed_in:
        flagged, notify = _reader_state(user, lesson_id)
        controls = reader_controls(user=user, editable=editable, flagged=flagged)
        windows = [until for _pk, author_id, until in editable if author_id == user.pk]
        if windows:  # their "Edit" label goes when the window closes
            changes_at(context["request"], min(windows))
    return {
        "course_slug": course_slug,
        "lesson_slug": lesson_slug,
        "count": count,
        "signed_in": signed_in,
        "notify": notify,
        "controls": controls,
    }


# --- Avatars -----------------------------------------------------------------------------------

# Background colours of the initials avatars (stream.css: .avatar.c0 …), each dark enough for
# white letters at AA contrast.
AVATAR_COLOURS = 8


@register.filter
def initials(name: str) -> str:
    """The first letters of a display name's first two words ("Mina Kim": "MK"; "김민아": "김")."""
    words = str(name).split()
    return "".join(word[0] for word in words[:2]).upper() or "?"


@register.filter
def avatar_colour(author_id: int | None) -> str:
    """An avatar colour of the author's own, the same on every page: a hash of their id
    (Knuth's multiplicative one spreads neighbouring ids over the colours); "x" for a deleted
    account."""
    if author_id is None:
        return "x"
    return str((int(author_id) * 2654435761 % 2**32) >> 29)
