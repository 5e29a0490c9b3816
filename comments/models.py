"""Threaded discussion and bug reports on lessons (built in the comments issue)."""
