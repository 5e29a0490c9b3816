"""Settings for Stream.

One settings module, driven by environment variables. The defaults are safe for production
(DEBUG off, no secret in the repository) and the set-up script switches on DEBUG for local use.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable "
            "(or DEBUG=true for local development, which uses a throwaway key)."
        )
    SECRET_KEY = "django-insecure-local-development-only"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

SITE_NAME = os.environ.get("SITE_NAME", "C.W.K. Stream")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    # Stream's apps, in floors: each imports only from the ones above it in this list.
    "courses",
    "accounts",
    "comments",
    "progress",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lessons.middleware.PrivatePagesMiddleware",
    # After authentication: a signed-in learner's saved language beats the browser's.
    "accounts.middleware.LearnerLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "lessons.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "lessons.context_processors.site",
                "comments.context_processors.notifications",
                "progress.context_processors.announcements",
            ],
        },
    },
]

WSGI_APPLICATION = "lessons.wsgi.application"

# SQLite in the project folder unless DATABASE_URL names another database
# (postgres://user:password@host:port/name uses psycopg 3).
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]

# Accounts (django-allauth): the email address is the login; Django's stock User model with a
# one-to-one accounts.LearnerProfile for what learners set themselves.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupExtraForm"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
# "optional" suits local use; set ACCOUNT_EMAIL_VERIFICATION=mandatory in production.
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{os.environ.get('SITE_NAME', 'C.W.K. Stream')}] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if env_bool("SECURE_COOKIES", False) else "http"
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGOUT_REDIRECT_URL = "/"

# allauth's login rate limits and our own posting limits count in the cache. The default
# in-process cache suits one server process; with several, point CACHE_BACKEND and
# CACHE_LOCATION at a shared cache (e.g. django.core.cache.backends.redis.RedisCache).
CACHES = {
    "default": {
        "BACKEND": os.environ.get("CACHE_BACKEND", "django.core.cache.backends.locmem.LocMemCache"),
        "LOCATION": os.environ.get("CACHE_LOCATION", "stream"),
    }
}

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Stream <noreply@localhost>")

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# English unless the browser (or the learner's saved choice) asks for Korean.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("ko", "한국어")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Streaks count calendar days where the learners are; the audience is in Korea.
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Seoul")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))

# Where `load_content` reads lessons from when no path is given.
CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "content"))

# How many reverse proxies (nginx, a load balancer) stand in front of Stream and append the
# address they saw to X-Forwarded-For. 0: clients connect directly and REMOTE_ADDR is theirs.
# Rate limits (ours and allauth's) count per real client through lessons.clients.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Every log line once, on the console: Django's own "django" logger would print to the console
# too (in DEBUG) on top of the root handler, so it only passes its records up to the root.
# runserver's request lines ("django.server") keep Django's handler and do not propagate.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.db.backends": {"level": "INFO"},
    },
}

# --- Comments ----------------------------------------------------------------------------------
# Discussion and bug reports (the comments app). Rates are "<how many>/<seconds>".
# The site's own address, for links in notification emails (sent outside any request).
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")
# How long after posting an author may still edit a comment.
COMMENTS_EDIT_MINUTES = int(os.environ.get("COMMENTS_EDIT_MINUTES", "30"))
COMMENTS_MAX_LENGTH = int(os.environ.get("COMMENTS_MAX_LENGTH", "4000"))
# A comment with this many flags waiting for review is hidden until staff review it.
COMMENTS_FLAGS_TO_HIDE = int(os.environ.get("COMMENTS_FLAGS_TO_HIDE", "3"))
# Only flags from learners whose accounts were not made for the purpose count toward hiding: a
# verified email address, an account this many days old when they flagged, and (if above 0)
# this many of their own comments on show. Other flags still send the comment to moderators.
COMMENTS_FLAG_MIN_ACCOUNT_DAYS = int(os.environ.get("COMMENTS_FLAG_MIN_ACCOUNT_DAYS", "3"))
COMMENTS_FLAG_MIN_COMMENTS = int(os.environ.get("COMMENTS_FLAG_MIN_COMMENTS", "0"))
# Posting and editing comments count together.
COMMENTS_RATE_LIMIT = os.environ.get("COMMENTS_RATE_LIMIT", "5/60")
COMMENTS_FLAG_RATE_LIMIT = os.environ.get("COMMENTS_FLAG_RATE_LIMIT", "10/3600")
BUG_REPORTS_RATE_LIMIT = os.environ.get("BUG_REPORTS_RATE_LIMIT", "5/3600")
# Unsubscribe links in emails stop working after this many days.
COMMENTS_UNSUBSCRIBE_DAYS = int(os.environ.get("COMMENTS_UNSUBSCRIBE_DAYS", "90"))

# --- Progress ----------------------------------------------------------------------------------
# How often a signed-in learner's browser may hand over its local progress ("<count>/<seconds>").
PROGRESS_MERGE_RATE_LIMIT = os.environ.get("PROGRESS_MERGE_RATE_LIMIT", "10/60")
