"""What courses tells the apps above it, which it never imports.

`content_loading` is sent by `courses.services.content_load` inside its transaction with `root`
(the content folder being loaded). A receiver checks and loads the files it owns under `root`
(progress: levels.yaml and achievements.yaml) and returns a {label: summary} dict for the
report, or raises `courses.content.ContentError` listing its problems. Any problem, from
courses' own files or from a receiver, rolls the whole load back, so content and rules land
together or not at all.
"""

from django.dispatch import Signal

content_loading = Signal()
