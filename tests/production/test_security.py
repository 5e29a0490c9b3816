"""HTTPS settings that pass `check --deploy`, the Content-Security-Policy, and no secret links
printed into the log."""

from __future__ import annotations

import re
from pathlib import Path

import allauth
import django
import pytest
from django.core.checks import Error
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from lessons.checks import CONSOLE_EMAIL_BACKEND, email_not_printed
from tests.production.conftest import NOWHERE, PRODUCTION_ENVIRONMENT, PROJECT, python

CHECK_DEPLOY = ["manage.py", "check", "--deploy", "--fail-level", "DEBUG"]


def production_environment(**changes: str) -> dict[str, str]:
    environment = {
        **PRODUCTION_ENVIRONMENT,
        "DATABASE_URL": "postgres://stream@127.0.0.1:1/stream",  # checks do not connect
        "REDIS_URL": NOWHERE,
        **changes,
    }
    return {name: value for name, value in environment.items() if value}


def test_check_deploy_finds_nothing_with_the_documented_production_settings():
    result = python(*CHECK_DEPLOY, env=production_environment())
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    assert "no issues" in result.stdout


def test_check_deploy_notices_a_missing_production_setting():
    # The test above is not vacuous: leaving one documented setting out is reported.
    result = python(*CHECK_DEPLOY, env=production_environment(SECURE_HSTS_SECONDS=""))
    assert result.returncode != 0
    assert "security.W004" in result.stderr


def test_https_settings_follow_the_environment(settings_for):
    configured = settings_for(production_environment())
    assert configured["SECURE_SSL_REDIRECT"] is True
    assert configured["SECURE_HSTS_SECONDS"] == 31536000
    assert configured["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert configured["SECURE_HSTS_PRELOAD"] is True
    assert configured["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert configured["SESSION_COOKIE_SECURE"] and configured["CSRF_COOKIE_SECURE"]


def test_development_sends_no_hsts_and_does_not_redirect(settings_for):
    configured = settings_for({"DEBUG": "true"})
    assert configured["SECURE_HSTS_SECONDS"] == 0
    assert configured["SECURE_SSL_REDIRECT"] is False


# --- Content-Security-Policy ------------------------------------------------------------------

POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data:",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy_of(response) -> dict[str, str]:
    directives = (
        part.strip().split(" ", 1) for part in response["Content-Security-Policy"].split(";")
    )
    return {name: sources for name, sources in directives}


@pytest.mark.django_db
def test_pages_carry_the_content_security_policy(client, sample_content):
    for url in [reverse("courses:catalogue"), reverse("account_login")]:
        assert policy_of(client.get(url)) == POLICY, url


@pytest.mark.django_db
def test_the_admin_works_under_the_same_policy(admin_client):
    for url in ["/admin/", "/admin/courses/lesson/", "/admin/courses/lesson/add/"]:
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert policy_of(response) == POLICY, url
        assert not inline_scripts(response.content.decode()), url


# A <script> without src runs as inline script unless its type makes it a data block (HTML's
# "prepare the script element" returns before any CSP check for those): json_script output
# and allauth's data blocks are type="application/json".
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
DATA_BLOCK = re.compile(r"""\btype\s*=\s*["']application/(ld\+)?json["']""", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"""<[^>]*\son[a-z]+\s*=""", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"""\b(href|src|action)\s*=\s*["']\s*javascript:""", re.IGNORECASE)


def inline_scripts(html: str) -> list[str]:
    found = [
        match.group(0)
        for match in SCRIPT.finditer(html)
        if "src=" not in match.group(1) and not DATA_BLOCK.search(match.group(1))
    ]
    return found + EVENT_HANDLER.findall(html) + JAVASCRIPT_URL.findall(html)


TEMPLATE_FOLDERS = [
    PROJECT / "templates",
    Path(django.__file__).parent / "contrib" / "admin" / "templates",
    Path(allauth.__file__).parent / "templates",
]


@pytest.mark.parametrize("folder", TEMPLATE_FOLDERS, ids=lambda folder: folder.parts[-3])
def test_no_template_runs_inline_script(folder):
    offenders = {
        str(path.relative_to(folder)): found
        for path in sorted(folder.rglob("*.html"))
        if (found := inline_scripts(path.read_text(encoding="utf-8")))
    }
    assert not offenders


def test_the_template_check_catches_inline_script():
    assert inline_scripts("<script>alert(1)</script>")
    assert inline_scripts('<a href="#" onclick="steal()">x</a>')
    assert inline_scripts('<a href="javascript:steal()">x</a>')
    assert not inline_scripts('<script src="/static/js/progress.js" defer></script>')
    assert not inline_scripts('<script id="progress-catalogue" type="application/json">{}</script>')


# --- Email with secret links is not printed into the log ---------------------------------------


def test_printing_email_with_debug_off_is_an_error(settings):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND
    settings.EMAIL_CONSOLE_ALLOWED = False
    errors = email_not_printed()
    assert [error.id for error in errors] == ["lessons.E001"]
    assert isinstance(errors[0], Error)
    with pytest.raises(SystemCheckError, match="lessons.E001"):
        call_command("check")


@pytest.mark.parametrize(
    "changes",
    [
        {"DEBUG": True},
        {"EMAIL_CONSOLE_ALLOWED": True},
        {"EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend"},
    ],
    ids=["debug", "allowed", "smtp"],
)
def test_printing_email_is_fine_in_development_or_when_allowed(settings, changes):
    settings.DEBUG = False
    settings.EMAIL_BACKEND = CONSOLE_EMAIL_BACKEND
    settings.EMAIL_CONSOLE_ALLOWED = False
    for name, value in changes.items():
        setattr(settings, name, value)
    assert email_not_printed() == []


def test_an_email_backend_named_in_the_environment_is_used(settings_for):
    configured = settings_for(
        {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": "/tmp/stream-mail",
        }
    )
    assert configured["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert configured["EMAIL_FILE_PATH"] == "/tmp/stream-mail"
