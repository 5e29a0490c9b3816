"""The cache version names progress owns (lessons.caching.versions; table in docs/caching.md)."""

from lessons.caching.versions import VersionName


def learner(user_id: int) -> VersionName:
    """One learner's figures: XP, completions, achievements (bumped by progress.receivers)."""
    return VersionName(f"learner:{user_id}")


def leaderboard() -> VersionName:
    """This week's ranks: bumped by any learner's XP change and by joining or leaving the board."""
    return VersionName("leaderboard")
