"""Stream's caching layer: whole pages for anonymous readers, shared shells for members, and the
version counters that retire both. The design, and a table of every version name with the app
that owns it and what bumps it, is docs/caching.md.

- versions: counters per thing shown (the content, a lesson's discussion, a reader's figures).
- pages: anonymous readers' pages, whole (`anonymous_page`).
- shells: members' pages, shared with each reader's own parts drawn in (`member_page`,
  `{% personal %}`), and cached fragments that may hold such parts (`fragment`).
- backend: the Redis cache that serves around a Redis it cannot reach.
- middleware: one version read per request; a member's writes retire their kept parts.

Everything here lives in the "pages" cache alias (`store`), apart from sessions and rate limits
in "default": filling it with pages can never evict those (settings.CACHES, deploy/).
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from django.utils.connection import ConnectionProxy

ALIAS = "pages"

# The cache the layer keeps its entries in (a per-thread connection, like django.core.cache.cache).
store = ConnectionProxy(caches, ALIAS)


def enabled() -> bool:
    """PAGE_CACHE (on unless set off): whether pages, shells and fragments are served from the
    cache at all. Off, every page is rendered whole, as the property test compares against."""
    return getattr(settings, "PAGE_CACHE", True)
