"""What courses tells the apps above it, which it never imports.

`content_loading` is sent by `courses.services.content_load` inside its transaction with `root`
(the content folder being loaded). A receiver checks and loads the files it owns under `root`
(progress: levels.yaml and achievements.yaml) and returns a {label: summary} dict for the
report, or raises `courses.content.ContentError` listing its problems. Any problem, from
courses' own files or from a receiver, rolls the whole load back, so content and rules land
together or not at all.

`content_exporting` is sent by `courses.services.content_export` with `root` (the folder being
written) and `force`. A receiver writes the files it owns under `root` from the database, in the
format its loading side reads, and returns a `courses.services.ExportReport` of what it did
(`ExportReport.write_file` applies the rules: an unchanged file is not rewritten, and a file
holding work that was never loaded is only overwritten with `force`).

`lesson_reviewed` is sent by `courses.services.lesson_reviewed_announce`, inside the transaction
that marks a lesson reviewed (the admin action, or a newer `reviewed` date saved in the lesson
form), with `lesson`, `reviewed` (the date) and `user`. comments closes the open "outdated"
reports filed up to that day as fixed, which tells their reporters.

`lesson_readers` is sent by lists that weigh a lesson's reports against its readers. A receiver
returns a query expression for a Lesson queryset that counts the readers of each lesson
(`OuterRef("pk")`), or None; progress counts the learners who completed it.
"""

from django.dispatch import Signal

content_loading = Signal()
content_exporting = Signal()
lesson_reviewed = Signal()
lesson_readers = Signal()
