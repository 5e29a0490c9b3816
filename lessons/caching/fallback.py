"""A cache makes a page faster, never wrong and never broken: whatever goes wrong while serving
from it (an entry that can't be read, parts that don't match their shell, a missing part, a
Redis error the backend did not absorb) is logged and the page is rendered as if nothing was
cached. Logged once a minute per place, so a broken entry hit by every request is one line."""

from __future__ import annotations

import logging
import threading
import time

logger = logging.getLogger("lessons.caching")

LOG_EVERY = 60.0
_last_logged: dict[str, float] = {}
_lock = threading.Lock()


def fell_back(where: str, error: BaseException) -> None:
    """`where` ("page", "shell", "fragment") could not be served from the cache because of
    `error`: the caller now renders it normally."""
    now = time.monotonic()
    with _lock:
        last = _last_logged.get(where)
        if last is not None and now - last < LOG_EVERY:
            return
        _last_logged[where] = now
    logger.warning(
        "Cached %s unusable, rendered afresh instead (%s: %s)",
        where,
        type(error).__name__,
        error,
        exc_info=error,
    )
