"""Bench-only settings: production's (lessons.settings, same environment, same middleware) with
bench/urls.py as the URLconf, which adds the framework floor /bench/floor/. Used only by
bench/pages.py's extra gunicorn node (DJANGO_SETTINGS_MODULE=bench.settings); never deployed."""

from lessons.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# The bench node measures what answering a knowledge check costs, not the rate limit that
# would answer 429 to one client sending thousands a second.
CHECK_RATE_LIMIT = "100000000/60"
