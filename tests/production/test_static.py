"""Static files: WhiteNoise serves them; after collectstatic, under hashed names kept a year."""

from __future__ import annotations

import pytest
from django.conf import settings as django_settings
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

MANIFEST_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_whitenoise_serves_right_after_the_security_middleware():
    middleware = django_settings.MIDDLEWARE
    security = middleware.index("django.middleware.security.SecurityMiddleware")
    assert middleware[security + 1] == "whitenoise.middleware.WhiteNoiseMiddleware"


def test_production_uses_hashed_names(settings_for):
    configured = settings_for({"STATIC_MANIFEST": "true"})
    assert configured["STORAGES"]["staticfiles"]["BACKEND"] == MANIFEST_STORAGE


@pytest.mark.parametrize(
    "environment", [{}, {"DEBUG": "true", "STATIC_MANIFEST": "true"}], ids=["default", "debug"]
)
def test_without_collectstatic_plain_names_are_used(settings_for, environment):
    configured = settings_for(environment)
    assert configured["STORAGES"]["staticfiles"]["BACKEND"] == (
        "django.contrib.staticfiles.storage.StaticFilesStorage"
    )


def test_pages_render_without_collectstatic():
    # The test suite runs with DEBUG off and nothing collected, like a first start.
    assert static("css/stream.css") == "/static/css/stream.css"


def test_collected_files_are_served_with_a_year_long_cache(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.WHITENOISE_AUTOREFRESH = False  # production: STATIC_ROOT exists at start-up
    call_command("collectstatic", interactive=False, verbosity=0)

    url = staticfiles_storage.url("css/stream.css")
    assert url != "/static/css/stream.css"  # a hashed name
    response = Client().get(url, HTTP_ACCEPT_ENCODING="gzip")
    assert response.status_code == 200
    assert response["Cache-Control"] == "max-age=315360000, public, immutable"
    assert response["Content-Encoding"] == "gzip"
