"""Learner progress: XP, levels, achievements and completion (built in the progress issue)."""
