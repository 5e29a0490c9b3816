"""Rate limits every app uses: fixed windows counted in the cache, keyed by who acts.

Rates are written "<count>/<seconds>" in settings (e.g. COMMENTS_RATE_LIMIT = "5/60"). With
several server processes the cache must be shared (Redis) for a limit to hold across them.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest

from lessons.clients import client_address


@dataclass(frozen=True)
class Rate:
    """At most `count` actions in `seconds` (written "5/60" in settings)."""

    count: int
    seconds: int

    @classmethod
    def parse(cls, text: str) -> Rate:
        count, _slash, seconds = text.partition("/")
        rate = cls(count=int(count), seconds=int(seconds or 60))
        if rate.count < 1 or rate.seconds < 1:
            raise ValueError(f"a rate needs a positive count and period, not {text!r}")
        return rate

    @property
    def minutes(self) -> int:
        return max(1, round(self.seconds / 60))


def rate_limit_hit(*, scope: str, who: str, rate: str) -> bool:
    """Count one action by `who`; True when that goes beyond `rate` in the current window.

    A fixed window counted in the cache: the first action opens it, and it closes `seconds`
    later whatever happens in between (incr keeps the expiry).
    """
    limit = Rate.parse(rate)
    key = f"ratelimit:{scope}:{who}"
    cache.add(key, 0, timeout=limit.seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window closed between add() and incr()
        cache.set(key, 1, timeout=limit.seconds)
        count = 1
    return count > limit.count


def requester(request: HttpRequest) -> str:
    """Who is acting, for a rate limit: the account when signed in, else the client address."""
    if request.user.is_authenticated:
        return f"user:{request.user.pk}"
    return f"ip:{client_address(request)}"
