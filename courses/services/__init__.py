"""Writes to courses and lessons that touch many rows (STYLE.md: services), one module each:

- loading: content_load, `content/` into the database (load_plan: its checking step)
- exporting: content_export, the database back into files
- publishing: lessons_set_status, the admin's publish and unpublish actions
- reviewing: lessons_mark_reviewed, "someone checked these lessons" (and courses.signals)
- roles: the Instructor group
"""

from courses.services.exporting import ExportReport, content_export
from courses.services.loading import Conflict, LoadReport, Tally, content_load
from courses.services.publishing import lessons_set_status
from courses.services.reviewing import lesson_reviewed_announce, lessons_mark_reviewed
from courses.services.roles import INSTRUCTOR_GROUP, instructor_group_sync, instructor_permissions

__all__ = [
    "INSTRUCTOR_GROUP",
    "Conflict",
    "ExportReport",
    "LoadReport",
    "Tally",
    "content_export",
    "content_load",
    "instructor_group_sync",
    "instructor_permissions",
    "lesson_reviewed_announce",
    "lessons_mark_reviewed",
    "lessons_set_status",
]
