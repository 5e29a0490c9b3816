"""What accounts asks of the apps above it, which it never imports.

`learner_data_requested` is sent with `user` when a learner exports their data; each app that
holds data about learners connects a receiver returning a dict of JSON-ready lists, e.g.
{"comments": [...]}, and the export is the profile plus every receiver's dict.
"""

from django.dispatch import Signal

learner_data_requested = Signal()
