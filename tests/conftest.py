import logging
import os
import shutil
import signal
from io import StringIO
from pathlib import Path

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import caches
from django.core.management import call_command
from django.db import connection
from django.test import Client

SAMPLE_CONTENT = Path(__file__).resolve().parent.parent / "content"


def pytest_collection_modifyitems(config, items):
    """Skip tests marked `postgres` unless the database is PostgreSQL.

    Plain `pytest` runs on the SQLite default; `scripts/test` starts a PostgreSQL server and runs
    everything. Skipping when the items are collected means no database or server is set up for
    a test that will not run.
    """
    if connection.vendor == "postgresql":
        return
    needs_postgres = pytest.mark.skip(
        reason=f"needs PostgreSQL (scripts/test starts one); this run uses {connection.vendor}"
    )
    for item in items:
        if item.get_closest_marker("postgres"):
            item.add_marker(needs_postgres)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Real hashing costs ~0.3 s per password on a small machine; the tests are not about it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Rate limits count in the cache, pages in theirs; each test starts with a clean slate.
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


def learner_make(username: str, email: str, password: str, display_name: str):
    """A signed-up learner with a verified email address and a display name."""
    user = get_user_model().objects.create_user(username=username, email=email, password=password)
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    user.learner_profile.display_name = display_name
    user.learner_profile.save()
    return user


@pytest.fixture
def learner(db):
    return learner_make("mina", "mina@example.com", "learner-pass-42", "Mina")


@pytest.fixture
def sample_content(db):
    """The real sample courses from content/, loaded the way an instructor would."""
    call_command("load_content", str(SAMPLE_CONTENT), stdout=open(os.devnull, "w"))


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A private copy of content/ that a test may edit."""
    root = tmp_path / "content"
    shutil.copytree(SAMPLE_CONTENT, root)
    return root


@pytest.fixture
def staff_user(django_user_model):
    """Staff with no permissions or groups: `is_staff` and nothing else.

    Not pytest-django's `admin_user`: a superuser passes every permission check, so a test
    signed in as one would still pass if the site wrongly asked for a superuser or a permission
    where being staff should be enough (staff see drafts and scheduled lessons on the site).
    """
    return django_user_model.objects.create_user(
        username="instructor",
        email="instructor@example.com",
        password="pw-instructor-1",
        is_staff=True,
    )


@pytest.fixture
def staff_client(staff_user):
    """A second browser, signed in as `staff_user`, beside the anonymous `client`.

    Not pytest-django's `admin_client`, which signs in a superuser (see `staff_user`).
    """
    staff = Client()
    staff.force_login(staff_user)
    return staff


def pytest_report_header(config):
    return f"database: {settings.DATABASES['default']['ENGINE']}"


def run_worker() -> None:
    """`manage.py db_worker --batch`: every task that is due, then it returns."""
    # The command takes over these signals and sets its loggers' levels; the tests run on.
    handlers = {
        number: signal.getsignal(number)
        for number in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    levels = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    try:
        call_command(
            "db_worker",
            batch=True,
            interval=0,
            startup_delay=False,
            reload=False,
            stdout=StringIO(),
        )
    finally:
        for number, handler in handlers.items():
            signal.signal(number, handler)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)
