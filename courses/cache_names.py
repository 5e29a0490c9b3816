"""The cache version names courses owns (lessons.caching.versions; table in docs/caching.md)."""

from lessons.caching.versions import VersionName


def lesson_page(lesson_id: int) -> VersionName:
    """One lesson's page beyond the content: its discussion (the comments app bumps it)."""
    return VersionName(f"lesson:{lesson_id}")
