"""The discussion under a lesson, loaded by the lesson template itself (courses' view is unaware).

The thread looks the same to every reader, so each page of it is rendered once per change and
kept in the cache as HTML, keyed on the lesson's version (lessons.versions: comments.services
bumps it after every change), the language, the time zone and the page. Building a page costs
two queries whatever the thread's size: the counts, and the comments of that page's threads.

What differs per reader is drawn around it on every request, without touching the cached HTML:
the header's forms (they carry a CSRF token) and a few CSS rules. Every comment carries all its
controls, hidden by stream.css; the rules reveal, for this reader, edit and delete on their own
comments, flag on others' they have not flagged, "withdraw" on those they have. A signed-in
reader costs one query for that (their pending flags and reply-notification choice); an
anonymous reader none, and gets exactly the same HTML as every other anonymous reader.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.db import connection
from django.db.models import (
    BigIntegerField,
    BooleanField,
    Count,
    Exists,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from comments import rules
from comments.models import Comment, CommentFlag, FlagResolution, Moderation, ThreadSubscription
from courses.models import Lesson
from lessons import versions

register = template.Library()

# Top-level comments per page, each with all its replies: enough for most threads to fit on the
# lesson page, few enough that a page of a huge thread stays a light page.
THREADS_PER_PAGE = 50
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


def page_of(comment: Comment) -> int:
    """The page of its lesson's thread that shows `comment` (1: the lesson page itself)."""
    root = comment
    if comment.parent_id is not None:
        table, parent = _comment_table_and_parent()
        ancestors = (
            f"WITH RECURSIVE up(id, parent_id) AS (SELECT id, {parent} FROM {table} WHERE id = %s "
            f"UNION ALL SELECT c.id, c.{parent} FROM {table} c JOIN up ON c.id = up.parent_id) "
            f"SELECT id FROM up WHERE parent_id IS NULL"
        )
        is_root = RawSQL(
            f"{table}.{connection.ops.quote_name('id')} IN ({ancestors})",
            [comment.pk],
            BooleanField(),
        )
        root = Comment.objects.filter(is_root).only("id", "created_at").first() or comment
    newer = (
        _threads(comment.lesson_id)
        .filter(Q(created_at__gt=root.created_at) | Q(created_at=root.created_at, id__gt=root.pk))
        .count()
    )
    return 1 + newer // THREADS_PER_PAGE


def _fragment_key(lesson: Lesson, page: int) -> str:
    version = versions.current("content", f"lesson:{lesson.pk}")
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
    entries = rules.thread_entries(comments)
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


def _reader_state(user: AbstractBaseUser, lesson: Lesson) -> tuple[list[int], bool]:
    """The comments on this lesson the reader has flagged (staff have not reviewed them yet),
    and whether they hear about replies here (comments.services.replies_wanted), in one query:
    a reply-notification "off" row comes back as a 0 among the comment ids."""
    flagged = (
        CommentFlag.objects.filter(
            user=user, comment__lesson=lesson, resolution=FlagResolution.PENDING
        )
        .order_by()
        .values_list("comment_id", flat=True)
    )
    muted = (
        ThreadSubscription.objects.filter(user=user, lesson=lesson, is_active=False)
        .order_by()
        .annotate(off=Value(0, output_field=BigIntegerField()))
        .values_list("off", flat=True)
    )
    ids = list(flagged.union(muted, all=True))
    return [pk for pk in ids if pk], 0 not in ids


def reader_controls(
    *, user: AbstractBaseUser, editable: list[tuple[int, int, float]], flagged: list[int]
) -> SafeString:
    """CSS that reveals the controls this reader may use, on top of stream.css (where everything
    is hidden except, for a signed-in reader, "Reply" and "Flag").

    Only numbers go into it (the reader's id, comment ids), so it is safe to print as is.
    """
    me = int(user.pk)
    now = timezone.now().timestamp()
    rules_ = [
        # Their own comments: delete, never flag.
        f'.comment[data-author="{me}"] .comment__action--delete{{display:inline}}',
        f'.comment[data-author="{me}"] .comment__action--flag{{display:none}}',
    ]
    rules_ += [
        f"#comment-{pk} .comment__action--edit{{display:inline}}"
        for pk, author_id, until in editable
        if author_id == me and now < until
    ]
    for pk in sorted(flagged):
        rules_.append(f"#comment-{pk} .comment__action--flag{{display:none}}")
        rules_.append(
            f"#comment-{pk} .comment__flagged,#comment-{pk} .comment__action--withdraw"
            "{display:inline}"
        )
    return mark_safe("\n".join(rules_))  # noqa: S308 - numbers only, see above


@register.inclusion_tag("comments/_thread.html", takes_context=True)
def lesson_discussion(context: template.Context, lesson: Lesson, page: int = 1) -> dict[str, Any]:
    """The lesson's discussion: a cached page of the thread, with this reader's header, forms
    and controls. Nothing for a page past the end (the page view answers 404 before)."""
    request = context["request"]
    user = request.user
    built = thread_page(lesson, page)
    if built is None:
        return {"thread": None}
    signed_in = user.is_authenticated
    controls, notify = "", False
    if signed_in:
        flagged, notify = _reader_state(user, lesson)
        controls = reader_controls(user=user, editable=built["editable"], flagged=flagged)
    return {
        "lesson": lesson,
        "thread": mark_safe(built["html"]),  # noqa: S308 - rendered by our own template
        "count": built["count"],
        "signed_in": signed_in,
        "notify": notify,
        "controls": controls,
    }
