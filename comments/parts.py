"""What comments draws into the pages of the floors below (lessons.slots): the bell in the
header, a lesson's discussion, its "may be out of date" note and its "report a problem" link."""

from __future__ import annotations

from comments import cache_names
from lessons import slots
from lessons.caching.shells import reader_versions_add


def register() -> None:
    """Called from CommentsConfig.ready()."""
    reader_versions_add(cache_names.notifications)
    slots.register("header-bell", "comments/parts/header_bell.html")
    slots.register("lesson-notes", "comments/_outdated_note.html")
    slots.register("lesson-report", "comments/_report_link.html")
    slots.register("lesson-discussion", "comments/_lesson_discussion.html")
    slots.register("discussion-reader", "comments/parts/discussion_reader.html")
