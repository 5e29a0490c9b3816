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
from functools import partial

from django.core.cache import cache
from django.db import transaction

# Long enough that a version outlives any copy keyed on it; a lost counter (evicted, or a cache
# outage) restarts from the clock, which is always newer than any number handed out before.
VERSION_TIMEOUT = 30 * 24 * 3600


def _key(name: str) -> str:
    return f"version:{name}"


def current(*names: str) -> str:
    """The versions of `names`, as one string to put in a cache key."""
    keys = [_key(name) for name in names]
    found = cache.get_many(keys)
    missing = {key: time.time_ns() for key in keys if key not in found}
    if missing:
        cache.set_many(missing, timeout=VERSION_TIMEOUT)
        found.update(missing)
    return ".".join(str(found[key]) for key in keys)


def bump(*names: str) -> None:
    """Something `names` cover changed: the next request builds fresh copies."""
    cache.set_many({_key(name): time.time_ns() for name in names}, timeout=VERSION_TIMEOUT)


def changed(*names: str) -> None:
    """Bump `names` now and again once the transaction commits.

    Now, so that the next read in this transaction (and the tests, which never commit) sees it;
    after the commit, so that a copy another request built from the old rows in between is not
    kept under the new version.
    """
    bump(*names)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(partial(bump, *names), robust=True)
