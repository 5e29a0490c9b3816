"""What the comments app tells the rest of Stream. progress listens to award achievements.

Each signal is sent once the change is committed, with `user` (the learner it concerns) and
`key` (what happened, unique per kind, e.g. "comment:42") so a repeat counts once.

A comment counts for its author while it stands (neither deleted by them nor hidden by
moderators); a reply counts for the author of the comment it answers while both stand. When that
changes, the *_withdrawn signals take back what comment_posted and reply_received announced, with
the same keys, and restoring a comment sends those two again.
"""

from django.dispatch import Signal

# A learner posted a comment: user=author, key="comment:<id>".
comment_posted = Signal()
# Someone else replied to a learner's comment: user=parent's author, key="comment:<reply id>".
reply_received = Signal()
# A learner's comment no longer stands: user=author, key="comment:<id>" (as comment_posted).
comment_withdrawn = Signal()
# A reply to a learner's comment no longer counts for them: user=parent's author,
# key="comment:<reply id>" (as reply_received).
reply_withdrawn = Signal()
# Staff confirmed a learner's bug report: user=reporter, key="report:<id>".
report_confirmed = Signal()
