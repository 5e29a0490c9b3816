"""Bench-only settings: production's (lessons.settings, same environment, same middleware) with
bench/urls.py as the URLconf, which adds the framework floor /bench/floor/. Used only by
bench/pages.py's extra gunicorn node (DJANGO_SETTINGS_MODULE=bench.settings); never deployed."""

from lessons.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
