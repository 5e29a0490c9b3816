"""The shared cache (Redis), and how Stream carries on while Redis is away.

Sessions (cached_db), allauth's and Stream's rate limits count on the cache, and none of them is
worth an error page. While Redis cannot be reached every operation behaves as it would on an
empty cache that keeps nothing: reads return their default, `add` succeeds (the key was not
there) without storing, `set` and `delete` do nothing, `incr` raises ValueError as for a missing
key. So rate limits fail open during an outage: each action opens a new window (Stream's), or
finds no history and takes the lock at once (allauth's, which would otherwise wait for a lock
`add` never grants and answer 429). The database stays the record for sessions, so learners
stay signed in.

Any error from Redis counts (unreachable, timing out, loading, refusing writes). After one,
Redis is left alone for `retry_after` seconds, so a Redis that does not answer at all costs one
short timeout now and then instead of one per operation; then the next operation tries again
(redis-py reconnects by itself). Writes that could not be made leave whatever Redis held before
standing (a session signed out meanwhile, an old count): those keys are deleted when Redis
answers again, before anything reads them; after too many of them the whole database is
flushed, so REDIS_URL must name a Redis database that only Stream uses.
"""

from __future__ import annotations

import logging
import pickle
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache, RedisCacheClient, RedisSerializer
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

logger = logging.getLogger(__name__)

T = TypeVar("T")

# How long an operation waits for a Redis that does not answer (twice at most). One retry, at
# once: a pooled connection that Redis closed (a restart) fails once, the retry uses a new one.
CONNECTION_OPTIONS = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 1.0,
    "retry": Retry(NoBackoff(), 1),
}

# Marks a write whose keys are not known (clear()): Redis is flushed when it answers again.
EVERYTHING = None


@dataclass
class _Outage:
    """What one process knows about Redis being away, shared by its per-thread cache objects."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    since: float | None = None  # time.monotonic() of the first failure; None while reachable
    retry_at: float = 0.0
    warned_at: float | None = None
    stale_keys: set[str] = field(default_factory=set)
    flush: bool = False


# By server address: Django makes one cache object per thread (runserver: per request).
_outages: dict[str, _Outage] = {}


class TolerantSerializer(RedisSerializer):
    """Django's pickling, except that an entry this release cannot read any more (written by an
    earlier one, of a class since renamed or moved) reads as absent: a miss, not a failed page."""

    def loads(self, data: bytes) -> Any:
        try:
            return super().loads(data)
        except (pickle.UnpicklingError, AttributeError, ImportError, EOFError, TypeError) as error:
            logger.warning("Cache entry unreadable by this release, taken as absent: %r", error)
            return None


class ReusedClientRedisCacheClient(RedisCacheClient):
    """Django's Redis client, keeping its redis.Redis object per connection pool.

    Django builds a new redis.Redis for every operation, and each one fills a table of some 170
    response callbacks in __init__: for a page served from the cache (a few operations) that was
    a third of the request. redis.Redis objects are safe to share; the pool does the rest.
    """

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    """Django's RedisCache that serves around a Redis it cannot reach (see the module)."""

    retry_after = 2.0
    warn_every = 60.0
    # Beyond this many unwritten keys, flushing the cache is cheaper than remembering them.
    max_stale_keys = 10_000

    def __init__(self, server: str | list[str], params: dict[str, Any]):
        options = {
            **CONNECTION_OPTIONS,
            "serializer": TolerantSerializer,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self._class = ReusedClientRedisCacheClient
        self._outage = _outages.setdefault(str(server), _Outage())

    # --- reads: a miss --------------------------------------------------------------------------

    def get(self, key: str, default: Any = None, version: int | None = None) -> Any:
        return self._attempt(partial(super().get, key, default, version), lambda: default)

    def get_many(self, keys: Iterable[str], version: int | None = None) -> dict[str, Any]:
        return self._attempt(partial(super().get_many, list(keys), version), dict)

    def has_key(self, key: str, version: int | None = None) -> bool:
        return self._attempt(partial(super().has_key, key, version), lambda: False)

    def touch(self, key: str, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None) -> bool:
        return self._attempt(partial(super().touch, key, timeout, version), lambda: False)

    # --- writes: nothing written, and the keys remembered ------------------------------------

    def add(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> bool:
        return self._attempt(
            partial(super().add, key, value, timeout, version),
            lambda: True,  # an empty cache: the key was not there (see the module)
            writes=[self.make_key(key, version)],
        )

    def set(
        self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> None:
        self._attempt(
            partial(super().set, key, value, timeout, version),
            lambda: None,
            writes=[self.make_key(key, version)],
        )

    def set_many(
        self, data: dict[str, Any], timeout: Any = DEFAULT_TIMEOUT, version: int | None = None
    ) -> list[str]:
        return self._attempt(
            partial(super().set_many, data, timeout, version),
            lambda: list(data),  # Django's contract: the keys that were not stored
            writes=[self.make_key(key, version) for key in data],
        )

    def delete(self, key: str, version: int | None = None) -> bool:
        return self._attempt(
            partial(super().delete, key, version),
            lambda: False,
            writes=[self.make_key(key, version)],
        )

    def delete_many(self, keys: Iterable[str], version: int | None = None) -> None:
        keys = list(keys)
        self._attempt(
            partial(super().delete_many, keys, version),
            lambda: None,
            writes=[self.make_key(key, version) for key in keys],
        )

    def incr(self, key: str, delta: int = 1, version: int | None = None) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (the cache is unreachable).")

        return self._attempt(
            partial(super().incr, key, delta, version),
            missing,
            writes=[self.make_key(key, version)],
        )

    def clear(self) -> bool:
        return self._attempt(super().clear, lambda: False, writes=EVERYTHING)

    # --- the outage ---------------------------------------------------------------------------

    def _attempt(
        self,
        operation: Callable[[], T],
        fallback: Callable[[], T],
        writes: Sequence[str] | None = (),
    ) -> T:
        outage = self._outage
        if outage.since is not None and time.monotonic() < outage.retry_at:
            self._remember(writes)
            return fallback()
        try:
            if outage.since is not None:
                self._forget_stale()
            result = operation()
        except RedisError as error:
            self._went_away(error)
            self._remember(writes)
            return fallback()
        if outage.since is not None:
            self._came_back()
        return result

    def _remember(self, writes: Sequence[str] | None) -> None:
        outage = self._outage
        with outage.lock:
            if writes is EVERYTHING or len(outage.stale_keys) + len(writes) > self.max_stale_keys:
                outage.flush = True
                outage.stale_keys.clear()
            elif not outage.flush:
                outage.stale_keys.update(writes)

    def _forget_stale(self) -> None:
        """Delete what Redis may still hold from before the writes it missed."""
        outage = self._outage
        with outage.lock:
            keys, flush = outage.stale_keys, outage.flush
            outage.stale_keys, outage.flush = set(), False
        try:
            if flush:
                self._cache.clear()
            elif keys:
                self._cache.delete_many(list(keys))
        except RedisError:
            with outage.lock:
                outage.flush = outage.flush or flush
                if not outage.flush:
                    outage.stale_keys.update(keys)
            raise

    def _went_away(self, error: RedisError) -> None:
        outage = self._outage
        now = time.monotonic()
        with outage.lock:
            if outage.since is None:
                outage.since = now
            outage.retry_at = now + self.retry_after
            warn = outage.warned_at is None or now - outage.warned_at >= self.warn_every
            if warn:
                outage.warned_at = now
            since = outage.since
        if warn:
            # At the start and then once a minute, not once per operation.
            logger.warning(
                "The cache (Redis) is unreachable%s: serving pages without it (%s: %s)",
                f", for {now - since:.0f} s now" if now > since else "",
                type(error).__name__,
                error,
            )

    def _came_back(self) -> None:
        outage = self._outage
        with outage.lock:
            since, outage.since, outage.warned_at = outage.since, None, None
        if since is not None:
            logger.info(
                "The cache (Redis) is reachable again after %.0f s", time.monotonic() - since
            )
