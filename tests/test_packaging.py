"""`pip install .` gives a working Stream: every app package is in what it installs, and an
installed copy run from outside the checkout finds templates/, static/, locale/ and content/
(folders, not packages) through STREAM_DIR, or says that it cannot."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

pytestmark = pytest.mark.packaging

PROJECT = Path(__file__).resolve().parent.parent
APPS = ["lessons", "courses", "accounts", "comments", "progress"]
CHECK = ["-m", "django", "check", "--settings=lessons.settings"]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "artifacts", "staticfiles", "build", "*.egg-info", "__pycache__",
    "*.sqlite3", ".pytest_cache", ".ruff_cache", "node_modules",
)  # fmt: skip


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env={"PATH": os.environ.get("PATH", ""), **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> tuple[Path, Path]:
    """A fresh virtualenv with Stream installed into it, as README's `pip install .` does (pip
    builds the wheel), from a copy of the checkout that is deleted afterwards; and a folder
    outside both to run it from. Stream's dependencies are not downloaded again: a .pth line puts
    this run's site-packages on the virtualenv's path, after its own."""
    root = tmp_path_factory.mktemp("packaging")
    source, venv, elsewhere = root / "source", root / "venv", root / "elsewhere"
    shutil.copytree(PROJECT, source, ignore=NOT_SOURCE)
    elsewhere.mkdir()
    result = run(sys.executable, "-m", "venv", "--without-pip", venv, cwd=root)
    assert result.returncode == 0, result.stderr
    python = venv / "bin" / "python"
    paths = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    own_site = Path(run(python, "-c", paths, cwd=root).stdout.strip())
    (own_site / "stream-dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    result = run(
        python, "-m", "pip", "install", "--no-deps", "--ignore-installed", "--quiet",
        "--disable-pip-version-check", source,
        cwd=root, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    shutil.rmtree(source)
    return python, elsewhere


def environment(elsewhere: Path, **changes: str) -> dict[str, str]:
    return {
        "SECRET_KEY": "tests-only-not-a-secret",
        "DATABASE_URL": f"sqlite:///{elsewhere / 'db.sqlite3'}",
        "EMAIL_HOST": "smtp.example.com",
        **changes,
    }


def test_every_app_is_installed_into_the_virtualenv(installed):
    python, elsewhere = installed
    where = "import importlib; print(*(importlib.import_module(n).__file__ for n in {}))"
    result = run(python, "-c", where.format(APPS), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    site = str(python.parent.parent)
    for app, path in zip(APPS, result.stdout.split(), strict=True):
        assert path.startswith(site) and Path(path).parent.name == app


def test_django_check_runs_from_outside_the_checkout(installed):
    python, elsewhere = installed
    env = environment(elsewhere, STREAM_DIR=str(PROJECT))
    result = run(python, *CHECK, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


FOLDERS = """
import django
django.setup()
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import get_template
print(get_template("base.html").origin.name)
print(finders.find("css/stream.css"))
print(settings.LOCALE_PATHS[0])
print(settings.CONTENT_DIR)
"""


def test_the_installed_copy_finds_its_templates_static_files_translations_and_content(installed):
    python, elsewhere = installed
    env = environment(elsewhere, STREAM_DIR=str(PROJECT), DJANGO_SETTINGS_MODULE="lessons.settings")
    result = run(python, "-c", FOLDERS, cwd=elsewhere, env=env)
    assert result.returncode == 0, result.stderr
    template, stylesheet, locale, content = result.stdout.split()
    assert template == str(PROJECT / "templates" / "base.html")
    assert stylesheet == str(PROJECT / "static" / "css" / "stream.css")
    assert locale == str(PROJECT / "locale") and Path(locale, "ko").is_dir()
    assert content == str(PROJECT / "content")


def test_without_stream_dir_an_installed_copy_says_where_its_folders_are_missing(installed):
    python, elsewhere = installed
    result = run(python, *CHECK, cwd=elsewhere, env=environment(elsewhere))
    assert result.returncode != 0
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("django.core.exceptions.ImproperlyConfigured: Stream's templates")
    assert str(python.parent.parent) in last and "set STREAM_DIR" in last
