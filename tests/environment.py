"""Loaded as a pytest plugin (see pyproject.toml) so it runs before Django reads its settings."""

import os

# Settings refuse to start without a secret unless DEBUG is on; tests run with DEBUG off.
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret")
