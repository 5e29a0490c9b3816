"""What the comments app tells the rest of Stream. progress listens to award achievements.

Each signal is sent once the change is committed, with `user` (the learner it concerns) and
`key` (what happened, unique per kind, e.g. "comment:42") so a repeat counts once.
"""

from django.dispatch import Signal

# A learner posted a comment: user=author, key="comment:<id>".
comment_posted = Signal()
# Someone else replied to a learner's comment: user=parent's author, key="comment:<reply id>".
reply_received = Signal()
# Staff confirmed a learner's bug report: user=reporter, key="report:<id>".
report_confirmed = Signal()
