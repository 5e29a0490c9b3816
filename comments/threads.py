"""The reads behind a lesson's discussion: its pages of threads, a comment's whole conversation
and the page that shows it, and what one reader's own parts of it need.

A page of the thread looks the same to every reader, so it is rendered once per change and kept
as a fragment (lessons.caching.shells.fragment), keyed on the lesson's version (comments.services
bumps it after every change), the content's, the language, the time zone and the page. Building
one costs two queries whatever the thread's size: the counts (`summary`, kept on its own for the
heading and for knowing which pages exist), and the comments of that page's threads.

What differs per reader is each comment's controls beyond "Reply": Flag, or "You flagged this"
and Withdraw, or Edit and Delete on their own (comments.parts, "comment-controls"), and the
discussion's header (the reply-notification switch). They are personal parts drawn per reader
into the kept fragment: a signed-in reader costs one query for all of them (`reader_state`),
once per request; a reader who is not signed in none, and gets the same HTML as every other.
"""

from __future__ import annotations

from typing import Any

from django.db.models import BigIntegerField, Case, Count, Exists, OuterRef, Q, Value, When
from django.http import HttpRequest
from django.template import Context
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from comments import rules
from comments.models import SHOWN, Comment, CommentFlag, FlagResolution, ThreadSubscription
from courses.cache_names import lesson_page
from courses.models import Lesson
from lessons import caching
from lessons.caching import store as cache
from lessons.caching import versions
from lessons.caching.shells import fragment

# Top-level comments per page, each with its first replies (rules.REPLIES_SHOWN; the rest on the
# thread's own page): a screenful of the newest conversations, and a lesson page that stays
# under 80 KB with comments of any length learners write (tests/comments/test_page_size.py).
THREADS_PER_PAGE = 20
# An old copy is never read again once the version moves on; this only bounds its stay.
FRAGMENT_TIMEOUT = 24 * 3600


# --- Pages of a lesson's thread ----------------------------------------------------------------


def _version(lesson_id: int) -> str:
    return versions.current(versions.CONTENT, lesson_page(lesson_id))


def summary(lesson: Lesson) -> dict[str, int]:
    """{"shown": the comments on show (the heading's count), "threads": the threads that show
    something, "pages": the thread's pages (at least 1)}, in one query, kept until the thread
    changes."""
    key = f"comments:summary:{lesson.pk}:{_version(lesson.pk)}" if caching.enabled() else None
    found = cache.get(key) if key else None
    # Anything else than what is stored here (an entry from another release) reads as missing.
    if not (isinstance(found, dict) and {"shown", "pages", "threads"} <= found.keys()):
        replies = Comment.objects.filter(parent=OuterRef("pk"))
        counts = Comment.objects.filter(lesson=lesson).aggregate(
            shown=Count("pk", filter=SHOWN),
            threads=Count("pk", filter=Q(parent=None) & (SHOWN | Exists(replies))),
        )
        pages = max(1, -(-counts["threads"] // THREADS_PER_PAGE))
        found = {"shown": counts["shown"], "pages": pages, "threads": counts["threads"]}
        if key:
            cache.set(key, found, timeout=FRAGMENT_TIMEOUT)
    return found


def page_comments(lesson: Lesson, page: int) -> list[Comment]:
    """One page of threads, newest threads first by page, oldest first within it: the page's
    top-level comments and every reply below them, at any depth, in one query."""
    offset = (page - 1) * THREADS_PER_PAGE
    tops = Comment.objects.threads_of(lesson).order_by("-created_at", "-id")
    return list(Comment.objects.in_threads(tops[offset : offset + THREADS_PER_PAGE]).as_thread())


def page_html(context: Context, lesson: Lesson, page: int) -> SafeString:
    """The page of the lesson's thread as HTML, each comment's controls drawn for this reader:
    kept cut at those controls (lessons.caching.shells.fragment), rendered when missing."""
    request = context.get("request")
    language = translation.get_language() or ""
    zone = timezone.get_current_timezone_name()
    key = f"comments:thread:{lesson.pk}:{_version(lesson.pk)}:{language}:{zone}:{page}"

    def render() -> str:
        found = summary(lesson)
        comments = page_comments(lesson, page) if found["threads"] else []
        entries = rules.fold(rules.thread_entries(comments))
        # The same for every reader: only the personal parts inside it (which find the
        # request in the context) are anyone's own.
        values = {"lesson": lesson, "entries": entries, "page": page, "pages": found["pages"]}
        return render_to_string("comments/_thread_list.html", {**values, "request": request})

    return fragment(context, key, render, FRAGMENT_TIMEOUT)


# --- One conversation --------------------------------------------------------------------------


def root_of(comment: Comment) -> Comment:
    """The top-level comment of `comment`'s thread (itself if it is one), in one query."""
    if comment.parent_id is None:
        return comment
    found = Comment.objects.root_of(comment.pk).select_related("author__learner_profile").first()
    return found or comment


def conversation(root: Comment) -> list[Comment]:
    """A thread whole: `root` and every reply below it at any depth, oldest first, one query."""
    return list(Comment.objects.in_threads(Comment.objects.filter(pk=root.pk)).as_thread())


def page_of(comment: Comment) -> int | None:
    """The page of its lesson's thread that shows `comment` (1: the lesson page itself), or None
    for a reply folded away there (rules.fold): only its thread's own page shows it."""
    root = root_of(comment)
    if root.pk != comment.pk:
        kept = {entry.comment.pk for entry in rules.fold(rules.thread_entries(conversation(root)))}
        if comment.pk not in kept:
            return None
    newer = (
        Comment.objects.threads_of(comment.lesson_id)
        .filter(Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, id__gt=root.pk))
        .count()
    )
    return 1 + newer // THREADS_PER_PAGE


# --- One reader's own state --------------------------------------------------------------------

# What the reader's flags are: a comment id maps to PENDING (not reviewed yet: "You flagged this",
# and they may withdraw it) or to REVIEWED (upheld or dismissed: a learner flags a comment once).
PENDING, REVIEWED = "pending", "reviewed"
# Markers among the rows `reader_state` reads, in the comment-id column (ids are positive).
_MUTED, _SUBSCRIBED, _TOOK_PART = 0, -1, -2
_FLAG_PENDING, _FLAG_REVIEWED, _CHOICE = 1, 2, 0


def _flags_query(user_id: int):
    return (
        CommentFlag.objects.filter(user_id=user_id)
        .order_by()
        .annotate(
            kind=Case(
                When(resolution=FlagResolution.PENDING, then=Value(_FLAG_PENDING)),
                default=Value(_FLAG_REVIEWED),
                output_field=BigIntegerField(),
            )
        )
        .values_list("comment_id", "kind")
    )


def _flags_from(rows: list[tuple[int, int]]) -> dict[int, str]:
    kinds = {_FLAG_PENDING: PENDING, _FLAG_REVIEWED: REVIEWED}
    return {pk: kinds[kind] for pk, kind in rows if pk > 0 and kind in kinds}


def reader_flags(request: HttpRequest) -> dict[int, str]:
    """The signed-in reader's flags, {comment id: PENDING or REVIEWED}: one query per request at
    most, whoever asks first (`reader_state` reads them with the rest)."""
    flags = request.__dict__.get("_comments_flags")
    if flags is None:
        flags = _flags_from(list(_flags_query(request.user.pk)))
        request._comments_flags = flags  # type: ignore[attr-defined]
    return flags


def reader_state(request: HttpRequest, lesson_id: int) -> dict[str, Any]:
    """{"flags": reader_flags(request), "notify": whether the reader hears about replies on this
    lesson (comments.services.replies_wanted: their own choice, else whether they took part)},
    in one query: the choice and the taking part come back as markers beside the flags."""
    user_id = request.user.pk
    memo = request.__dict__.setdefault("_comments_notify", {})
    if lesson_id not in memo:
        choice = (
            ThreadSubscription.objects.filter(user_id=user_id, lesson_id=lesson_id)
            .order_by()
            .annotate(
                comment=Value(_CHOICE, output_field=BigIntegerField()),
                marker=Case(
                    When(is_active=True, then=Value(_SUBSCRIBED)),
                    default=Value(_MUTED),
                    output_field=BigIntegerField(),
                ),
            )
            .values_list("comment", "marker")
        )
        # One row however many comments: grouped, since SQLite refuses a LIMIT inside a UNION.
        took_part = (
            Comment.objects.filter(author_id=user_id, lesson_id=lesson_id)
            .order_by()
            .values("author")
            .annotate(comments=Count("id"))
            .annotate(
                comment=Value(_CHOICE, output_field=BigIntegerField()),
                marker=Value(_TOOK_PART, output_field=BigIntegerField()),
            )
            .values_list("comment", "marker")
        )
        rows = list(_flags_query(user_id).union(choice, took_part, all=True))
        markers = {marker for pk, marker in rows if pk == _CHOICE}
        memo[lesson_id] = _SUBSCRIBED in markers or (
            _TOOK_PART in markers and _MUTED not in markers
        )
        request.__dict__.setdefault("_comments_flags", _flags_from(rows))
    return {"flags": reader_flags(request), "notify": memo[lesson_id]}
