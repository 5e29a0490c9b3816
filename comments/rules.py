"""Pure rules of the discussion: how a flat list of comments becomes a thread, who may do what
with a comment, and rates.

Nothing here touches the database; models, views and the readers' parts (comments.parts) feed
it what they fetched, so a control is drawn exactly when the view behind it would accept it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

# Replies indent up to this depth; deeper ones stay at it and say whom they answer.
MAX_INDENT = 4
# Replies a thread shows on a page of the discussion before "show all N replies" (its own page).
REPLIES_SHOWN = 3


class ThreadNode(Protocol):
    id: int
    parent_id: int | None
    is_shown: bool


@dataclass(frozen=True)
class Entry:
    """One line of a rendered thread, in reading order."""

    comment: ThreadNode
    depth: int
    parent: ThreadNode | None
    # The top-level comment this entry belongs to (itself at depth 0).
    root_id: int = 0
    # Replies of this entry's thread left out after it (see `fold`), on its last shown entry.
    folded: int = 0
    # All the replies the thread shows on its own page, when some are folded.
    replies: int = 0

    @property
    def indent(self) -> int:
        return min(self.depth, MAX_INDENT)

    @property
    def beyond_indent(self) -> bool:
        """Deeper than the indentation shows, so the entry names the comment it answers."""
        return self.depth > MAX_INDENT


def thread_entries(comments: Sequence[ThreadNode]) -> list[Entry]:
    """Order comments as a thread: each followed by its replies, oldest first at every level.

    `comments` must already be oldest first. A removed or hidden comment is kept (as a
    placeholder) only when a shown comment answers it somewhere below; otherwise it is left
    out. Linear in the number of comments, and iterative, so any depth is fine.
    """
    by_id = {comment.id: comment for comment in comments}
    children: dict[int | None, list[ThreadNode]] = {}
    for comment in comments:
        # A reply whose parent is not in the list (another lesson's, say) starts its own branch.
        parent_id = comment.parent_id if comment.parent_id in by_id else None
        children.setdefault(parent_id, []).append(comment)

    # Which comments must appear: shown ones and every ancestor of a shown one.
    needed: set[int] = set()
    for comment in comments:
        if not comment.is_shown:
            continue
        current: ThreadNode | None = comment
        while current is not None and current.id not in needed:
            needed.add(current.id)
            current = by_id.get(current.parent_id) if current.parent_id else None

    entries: list[Entry] = []
    stack: list[tuple[ThreadNode, int, int]] = [
        (comment, 0, comment.id) for comment in reversed(children.get(None, []))
    ]
    while stack:
        comment, depth, root_id = stack.pop()
        if comment.id not in needed:
            continue
        parent = by_id.get(comment.parent_id) if comment.parent_id else None
        entries.append(Entry(comment=comment, depth=depth, parent=parent, root_id=root_id))
        stack.extend(
            (child, depth + 1, root_id) for child in reversed(children.get(comment.id, []))
        )
    return entries


def fold(entries: Sequence[Entry], *, shown: int = REPLIES_SHOWN) -> list[Entry]:
    """Keep each thread's top-level comment and its first `shown` replies (reading order); the
    last entry kept says how many were left out, for a "show all N replies" link.

    A long conversation would otherwise fill the lesson page on its own: the first replies give
    its gist, the thread's own page has it all.
    """
    kept: list[Entry] = []
    replies: dict[int, int] = {}
    for entry in entries:
        if entry.depth:
            replies[entry.root_id] = replies.get(entry.root_id, 0) + 1
    seen: dict[int, int] = {}
    for entry in entries:
        count = seen[entry.root_id] = seen.get(entry.root_id, -1) + 1
        if count > shown:
            continue
        total = replies.get(entry.root_id, 0)
        last_kept = count == min(shown, total)
        if last_kept and total > shown:
            entry = replace(entry, folded=total - shown, replies=total)
        kept.append(entry)
    return kept


def shown_count(comments: Iterable[ThreadNode]) -> int:
    return sum(1 for comment in comments if comment.is_shown)


# --- Who may do what with a comment -----------------------------------------------------------
# By ids and moments (POSIX seconds), so that a reader's own part of a cached page (comments.
# parts: plain values only) and the views (Comment.can_be_edited_by…) ask the same question.


def may_edit(
    *, reader_id: int | None, author_id: int | None, shown: bool, editable_until: float, now: float
) -> bool:
    """The author, while the comment is on show and its edit window is open."""
    return reader_id is not None and author_id == reader_id and shown and now < editable_until


def may_delete(*, reader_id: int | None, author_id: int | None, removed: bool) -> bool:
    """The author, until it is deleted (also while moderators hide it)."""
    return reader_id is not None and author_id == reader_id and not removed


def may_flag(*, reader_id: int | None, author_id: int | None, shown: bool) -> bool:
    """Anyone but its author, while it is on show (a reader not signed in is asked to sign in
    first; a learner flags a comment once: comments.models.CommentFlag)."""
    return shown and (reader_id is None or author_id != reader_id)
