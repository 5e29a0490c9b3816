"""Version counters for what pages are built from, so cached copies are replaced, not waited out.

A cached page or fragment keys itself on the versions of what it shows (e.g. the whole site's
content, one lesson's thread); whoever changes that thing bumps its version, and the very next
request builds a fresh copy under the new key. Old copies are never read again and simply expire.

Each name is built by the one helper of the app that owns it (a `VersionName`), never by an
f-string elsewhere: this module owns CONTENT and `reader()`; the table of every name, its owner
and what bumps it is in docs/caching.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial
from typing import Any, NewType

from django.db import transaction

from lessons.caching import store as cache

VersionName = NewType("VersionName", str)

# Everything every page is built from: bumped by any change to courses, lessons, tags or the
# progress rules (their apps call `changed(CONTENT, ...)`).
CONTENT = VersionName("content")


def reader(user_id: int) -> VersionName:
    """A signed-in reader's own doings: bumped after each of their write requests
    (lessons.caching.middleware) and by admin edits of their account."""
    return VersionName(f"reader:{user_id}")


# Long enough that a version outlives any copy keyed on it; a lost counter (evicted, or a cache
# outage) restarts from the clock, which is always newer than any number handed out before.
VERSION_TIMEOUT = 30 * 24 * 3600


# What this request has already read from the cache: versions, cache entries fetched together
# (fetch_many) and values kept per version (remembered). A page served from the cache needs its
# key's versions, the publish schedule and the page itself; each cache round trip is most of a
# hit's cost, so they are fetched in as few round trips as possible and never twice. Only within
# a request (snapshot(), from VersionSnapshotMiddleware): a worker process or a shell asks the
# cache every time, so it never holds on to an old version.
_memo: ContextVar[dict[Any, Any] | None] = ContextVar("versions_memo", default=None)
_ABSENT = object()


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
    if ("built", key) not in memo:
        memo[("built", key)] = build()
    return memo[("built", key)]


def fetch_many(keys: list[str]) -> dict[str, Any]:
    """The cache entries `keys` (absent ones left out), in one round trip for those this request
    has not fetched yet. Version keys fetched here are what `current()` then answers with."""
    memo = _memo.get()
    if memo is None:
        return cache.get_many(keys)
    unknown = [key for key in keys if ("raw", key) not in memo]
    if unknown:
        read = cache.get_many(unknown)
        memo.update({("raw", key): read.get(key, _ABSENT) for key in unknown})
    found = {key: memo[("raw", key)] for key in keys}
    return {key: value for key, value in found.items() if value is not _ABSENT}


def remember_stored(key: str, value: Any) -> None:
    """This request just stored `value` under `key`: later fetches in it see that."""
    memo = _memo.get()
    if memo is not None:
        memo[("raw", key)] = value


def key(name: VersionName) -> str:
    """The cache key of the version `name` (for fetching it along with other entries)."""
    return f"version:{name}"


def current(*names: VersionName) -> str:
    """The versions of `names`, as one string to put in a cache key."""
    keys = [key(name) for name in names]
    found = fetch_many(keys)
    missing = {each: time.time_ns() for each in keys if each not in found}
    if missing:
        # add(), not set(): of two requests starting the same counter at once, one wins for both
        for each, value in missing.items():
            if not cache.add(each, value, timeout=VERSION_TIMEOUT):
                value = cache.get(each, value)
            found[each] = value
            remember_stored(each, value)
    return ".".join(str(found[each]) for each in keys)


def bump(*names: VersionName) -> None:
    """Something `names` cover changed: the next request builds fresh copies."""
    values = {key(name): time.time_ns() for name in names}
    cache.set_many(values, timeout=VERSION_TIMEOUT)
    for each, value in values.items():
        remember_stored(each, value)  # this request goes on with what it just changed


def changed(*names: VersionName) -> None:
    """Bump `names` now and again once the transaction commits.

    Now, so that the next read in this transaction (and the tests, which never commit) sees it;
    after the commit, so that a copy another request built from the old rows in between is not
    kept under the new version.
    """
    bump(*names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(bump, *names), robust=True)
