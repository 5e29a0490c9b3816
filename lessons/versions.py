"""Version counters for what pages are built from, so cached copies are replaced, not waited out.

A cached page or fragment keys itself on the versions of what it shows (e.g. the whole site's
content, one lesson's thread); whoever changes that thing bumps its version, and the very next
request builds a fresh copy under the new key. Old copies are never read again and simply expire.

Names used: "content" (any course, lesson, tag or rules change: every page), "lesson:<id>" (one
lesson's page: its text and its discussion), "learner:<id>" (one learner's XP, completions and
achievements: their bar's figures).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any

from django.core.cache import cache
from django.db import transaction

# Long enough that a version outlives any copy keyed on it; a lost counter (evicted, or a cache
# outage) restarts from the clock, which is always newer than any number handed out before.
VERSION_TIMEOUT = 30 * 24 * 3600


# What this request has already read from the cache: versions, and values kept per version.
# A page served from the cache asks for the same versions several times (its key, the lesson's
# id, the schedule of publish dates); each answer is a cache round trip, most of a cache hit's
# cost. Only within a request (snapshot(), from VersionSnapshotMiddleware): a worker process or
# a shell asks the cache every time, so it never holds on to an old version.
_memo: ContextVar[dict[str, Any] | None] = ContextVar("versions_memo", default=None)


@contextmanager
def snapshot() -> Iterator[None]:
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def remembered(key: str, build: Callable[[], Any]) -> Any:
    """`build()`, once per request for `key` (which must name the versions it depends on)."""
    memo = _memo.get()
    if memo is None:
        return build()
    if key not in memo:
        memo[key] = build()
    return memo[key]


def _key(name: str) -> str:
    return f"version:{name}"


def current(*names: str) -> str:
    """The versions of `names`, as one string to put in a cache key."""
    keys = [_key(name) for name in names]
    memo = _memo.get()
    found = {key: memo[key] for key in keys if key in memo} if memo is not None else {}
    unknown = [key for key in keys if key not in found]
    if unknown:
        read = cache.get_many(unknown)
        missing = {key: time.time_ns() for key in unknown if key not in read}
        if missing:
            cache.set_many(missing, timeout=VERSION_TIMEOUT)
            read.update(missing)
        found.update(read)
        if memo is not None:
            memo.update(read)
    return ".".join(str(found[key]) for key in keys)


def bump(*names: str) -> None:
    """Something `names` cover changed: the next request builds fresh copies."""
    values = {_key(name): time.time_ns() for name in names}
    cache.set_many(values, timeout=VERSION_TIMEOUT)
    memo = _memo.get()
    if memo is not None:
        memo.update(values)  # this request goes on with what it just changed


def changed(*names: str) -> None:
    """Bump `names` now and again once the transaction commits.

    Now, so that the next read in this transaction (and the tests, which never commit) sees it;
    after the commit, so that a copy another request built from the old rows in between is not
    kept under the new version.
    """
    bump(*names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(bump, *names), robust=True)
