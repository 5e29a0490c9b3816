"""The cache version names comments owns (lessons.caching.versions; table in docs/caching.md)."""

from lessons.caching.versions import VersionName


def notifications(user_id: int) -> VersionName:
    """One learner's notifications: the bell's count (bumped when they get or read one)."""
    return VersionName(f"notifications:{user_id}")


def outdated_reports(lesson_id: int) -> VersionName:
    """Whether a lesson shows the "may be out of date" note (bumped by reports and triage)."""
    return VersionName(f"outdated-reports:{lesson_id}")
