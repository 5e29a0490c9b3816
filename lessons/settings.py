"""Settings for Stream.

One settings module, driven by environment variables. The defaults are safe for production
(DEBUG off, no secret in the repository) and the set-up script switches on DEBUG for local use.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

from lessons.log import LOG_FORMATS, console_formatter

# The folder that holds templates/, static/, locale/ and content/: the checkout this package is
# in, or STREAM_DIR for a copy installed elsewhere (`pip install .`, then run from any folder).
BASE_DIR = Path(os.environ.get("STREAM_DIR") or Path(__file__).resolve().parent.parent)
if not (BASE_DIR / "templates").is_dir():
    raise ImproperlyConfigured(
        f"Stream's templates, static files and translations are not in {BASE_DIR}: set STREAM_DIR "
        "to the folder of its checkout."
    )


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
    "csp",
    # Background tasks: the API (django_tasks) and the database queue with its worker.
    "django_tasks",
    "django_tasks_db",
    # Stream's apps, in floors: each imports only from the ones above it in this list.
    "lessons",
    "courses",
    "accounts",
    "comments",
    "progress",
    "practice",
]

MIDDLEWARE = [
    # First, so that every log line of the request, errors included, carries its id.
    "lessons.middleware.RequestIdMiddleware",
    # Each cached version is read once per request (lessons.caching.versions.snapshot).
    "lessons.caching.middleware.VersionSnapshotMiddleware",
    # /healthz and /readyz: answered before anything that needs a session, a host or HTTPS.
    "lessons.middleware.HealthProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files leave here, before sessions and the rest are looked at.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "lessons.middleware.PrivatePagesMiddleware",
    # After authentication: a learner's writes make their kept parts of pages stale.
    "lessons.caching.middleware.ReaderChangesMiddleware",
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
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A connection kept for a minute saves a connect per request; CONN_HEALTH_CHECKS replaces
    # one the server has closed (a restart) before a request uses it.
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "60"))
    # A database that does not answer is given up on in seconds (libpq's floor is 2), so pages
    # answer "back in a moment" (503) instead of hanging until the proxy gives up. A kept
    # connection to a host that vanished without closing it (a network cut) fails its health
    # check after 5 s without acknowledgement, not after TCP's quarter of an hour.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        connect_timeout=int(os.environ.get("DB_CONNECT_TIMEOUT", "2")),
        tcp_user_timeout=5000,
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = int(os.environ.get("DB_CONN_MAX_AGE", "0"))

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
ACCOUNT_FORMS = {"login": "accounts.allauth_forms.LoginForm"}  # sentence-case labels
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

# Two caches. "default": allauth's login rate limits, our own posting limits and (with Redis) the
# sessions. "pages": what lessons.caching keeps (pages, shells, fragments, versions), which
# anyone can make grow by reading pages, so it lives apart with a size limit of its own and
# filling it can never evict a rate-limit counter or a session: in production two Redis
# servers, REDIS_URL (maxmemory-policy noeviction) and REDIS_PAGES_URL (maxmemory and
# allkeys-lru: deploy/redis-pages.conf). Without REDIS_PAGES_URL the pages share REDIS_URL's
# server (in a database of their own, but not a memory limit of their own). Without REDIS_URL
# both are in-process memory, which holds only for one server process. While Redis cannot be
# reached pages are served without it and rate limits do not hold (lessons/caching/backend.py).
REDIS_URL = os.environ.get("REDIS_URL", "")
REDIS_PAGES_URL = os.environ.get("REDIS_PAGES_URL", "")
# Off: every page rendered whole, nothing served from the page cache (the property test's
# reference; a way to rule the cache out when something looks wrong).
PAGE_CACHE = env_bool("PAGE_CACHE", True)
# In-process page cache (no Redis): the most entries kept before the oldest are dropped.
PAGE_CACHE_MAX_ENTRIES = int(os.environ.get("PAGE_CACHE_MAX_ENTRIES", "5000"))
_RESILIENT_REDIS = "lessons.caching.backend.ResilientRedisCache"
if REDIS_URL:
    CACHES = {
        "default": {"BACKEND": _RESILIENT_REDIS, "LOCATION": REDIS_URL},
        "pages": {"BACKEND": _RESILIENT_REDIS, "LOCATION": REDIS_PAGES_URL or REDIS_URL},
    }
    # The database stays the record, so an unreachable Redis signs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "stream",
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "stream-pages",
            "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_MAX_ENTRIES, "CULL_FREQUENCY": 4},
        },
    }

EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
# Printing email (Django's console backend) puts sign-in and reset links in the log: with DEBUG
# off it is refused here, for the app server, the worker and every command alike, unless this
# says it is acceptable (a test machine). A system check (lessons.checks) says so too.
EMAIL_CONSOLE_ALLOWED = env_bool("EMAIL_CONSOLE_ALLOWED", False)
# With DEBUG off and no way to send email: "queue" keeps every email unsent in the task queue, to
# be tried again (lessons.mail), "refuse" stops the start.
EMAIL_WITHOUT_BACKEND = os.environ.get("EMAIL_WITHOUT_BACKEND", "").strip().lower() or "queue"
if EMAIL_WITHOUT_BACKEND not in {"queue", "refuse"}:
    raise ImproperlyConfigured("EMAIL_WITHOUT_BACKEND must be queue or refuse.")
# SMTP with EMAIL_HOST; without it, printed with DEBUG on (development) and as above with it off.
# EMAIL_BACKEND names another outright (a test machine: the file backend,
# django.core.mail.backends.filebased.EmailBackend, with EMAIL_FILE_PATH).
_console_email = "django.core.mail.backends.console.EmailBackend"
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "").strip()
if not EMAIL_BACKEND:
    if EMAIL_HOST:
        EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    elif DEBUG or EMAIL_CONSOLE_ALLOWED:
        EMAIL_BACKEND = _console_email
    elif EMAIL_WITHOUT_BACKEND == "refuse":
        raise ImproperlyConfigured(
            "No email can be sent: EMAIL_HOST is not set (set it, or EMAIL_WITHOUT_BACKEND=queue "
            "to start anyway and keep emails queued until it is)."
        )
    else:
        EMAIL_BACKEND = "lessons.mail.UnconfiguredEmailBackend"
elif EMAIL_BACKEND == _console_email and not (DEBUG or EMAIL_CONSOLE_ALLOWED):
    raise ImproperlyConfigured(
        "EMAIL_BACKEND would print emails, secret links included, into the log with DEBUG off: "
        "set EMAIL_HOST instead (or EMAIL_CONSOLE_ALLOWED=true where printing them is acceptable)."
    )
if os.environ.get("EMAIL_FILE_PATH"):
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", True)
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Stream <noreply@localhost>")

# Background tasks (django-tasks): every email (notifications, sign-up, password reset) is one.
# TASKS_BACKEND=database (production): a request only queues its emails in the database, with
# its other writes, and `manage.py db_worker` sends them, trying a failed send again after each
# of EMAIL_RETRY_MINUTES. The default, "immediate", runs a task at once in the process that
# queues it: no worker to run (scripts/serve, the tests), but the request waits for the mail
# server and a failed send is not tried again. Or a backend's dotted path.
TASKS_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
}
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "").strip() or "immediate"
if TASKS_BACKEND not in TASKS_BACKENDS and "." not in TASKS_BACKEND:
    raise ImproperlyConfigured(
        f"TASKS_BACKEND must be {' or '.join(TASKS_BACKENDS)} (or a backend's dotted path)."
    )
TASKS = {"default": {"BACKEND": TASKS_BACKENDS.get(TASKS_BACKEND, TASKS_BACKEND)}}
# The waits before each new try of an email whose sending failed; after the last, it is given up
# on and logged as an error (admin: notifications, "By email status: failed").
EMAIL_RETRY_MINUTES = [
    int(minutes) for minutes in env_list("EMAIL_RETRY_MINUTES", "1,5,30,120,720")
]

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
# After collectstatic (production: STATIC_MANIFEST=true) static files carry a hash of their
# content in their names, compressed copies beside them, and WhiteNoise lets browsers keep them
# for a year. Without it the plain names are used, which need no collectstatic (development, the
# tests); WhiteNoise then looks files up per request instead of listing a STATIC_ROOT that is
# not there.
STATIC_MANIFEST = env_bool("STATIC_MANIFEST", False) and not DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if STATIC_MANIFEST
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.is_dir()

# Where `load_content` reads lessons from when no path is given.
CONTENT_DIR = Path(os.environ.get("CONTENT_DIR", BASE_DIR / "content"))
# The largest content file `load_content` reads, in bytes (2 MiB): a larger one is refused unread.
CONTENT_MAX_FILE_BYTES = int(os.environ.get("CONTENT_MAX_FILE_BYTES", str(2 * 1024 * 1024)))

# How many reverse proxies (nginx, a load balancer) stand in front of Stream and append the
# address they saw to X-Forwarded-For. 0: clients connect directly and REMOTE_ADDR is theirs.
# Rate limits (ours and allauth's) count per real client through lessons.clients.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

# HTTPS, with TLS ended by the reverse proxy: production turns all of these on (see README).
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
# Browsers remember HSTS for this long; 0 (development) sends no header.
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)

# Content-Security-Policy (django-csp). Scripts come only from Stream's own files: no template
# has inline script or on*= handlers (tests/production/test_security.py reads them all), and
# json_script blocks are data the browser never runs. Inline styles stay allowed: meters and
# table cells set widths and alignment in style attributes. The admin needs no exception.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# Every log line once, on the console, with the id of its request (lessons.log): Django's own
# "django" logger would print to the console too (in DEBUG) on top of the root handler, so it
# and the loggers below it (runserver's "django.server" among them) only pass their records up
# to the root. The request log is gunicorn's access log (runserver's lines in development):
# "django.request" keeps to errors, whose tracebacks the access log does not have.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text").strip().lower()
if LOG_FORMAT not in LOG_FORMATS:
    raise ImproperlyConfigured(f"LOG_FORMAT must be one of {', '.join(LOG_FORMATS)}.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "lessons.log.RequestIdFilter"}},
    "formatters": {"console": console_formatter(LOG_FORMAT)},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "console",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django": {"handlers": [], "level": "INFO", "propagate": True},
        "django.request": {"level": "ERROR"},
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
# How often a signed-in reader's browser may save where they are in a lesson (resume.js saves
# at most every few seconds while they read, and once as they leave).
PROGRESS_POSITION_RATE_LIMIT = os.environ.get("PROGRESS_POSITION_RATE_LIMIT", "30/60")

# --- Search ------------------------------------------------------------------------------------
# How many searches a reader (an account, or a client address) may run ("<count>/<seconds>").
SEARCH_RATE_LIMIT = os.environ.get("SEARCH_RATE_LIMIT", "30/60")
# Knowledge-check answers (practice): generous for people trying again, not for scripts.
CHECK_RATE_LIMIT = os.environ.get("CHECK_RATE_LIMIT", "60/60")
# Exercise drafts saved as the learner types (practice.js saves at most every few seconds).
EXERCISE_SAVE_RATE_LIMIT = os.environ.get("EXERCISE_SAVE_RATE_LIMIT", "40/60")

# --- Pages for readers who are not signed in ---------------------------------------------------
# They are the same for everyone and cached whole (lessons/pagecache.py); browsers and proxies
# (nginx's proxy cache) may keep one this many seconds. Changes show at once in Stream itself.
ANON_PAGE_MAX_AGE = int(os.environ.get("ANON_PAGE_MAX_AGE", "60"))

# --- Social sign-in ----------------------------------------------------------------------------
# Kakao, Naver and Google through allauth.socialaccount. A provider is offered only when both
# its client id and secret are set (README "Social sign-in" says where to get them); without
# them it is not on the sign-in pages and its URLs answer 404 (accounts.adapter). The apps live
# here in settings, so no SocialApp rows are needed.
INSTALLED_APPS += [
    "allauth.socialaccount",
    "allauth.socialaccount.providers.kakao",
    "allauth.socialaccount.providers.naver",
    "allauth.socialaccount.providers.google",
]
SOCIAL_PROVIDERS = {
    # provider id: (environment prefix, the origins its sign-in page is reached through)
    "kakao": ("KAKAO", ["https://kauth.kakao.com", "https://accounts.kakao.com"]),
    "naver": ("NAVER", ["https://nid.naver.com"]),
    "google": ("GOOGLE", ["https://accounts.google.com"]),
}
SOCIALACCOUNT_PROVIDERS = {}
for _provider, (_prefix, _origins) in SOCIAL_PROVIDERS.items():
    _client_id = os.environ.get(f"{_prefix}_CLIENT_ID", "").strip()
    _secret = os.environ.get(f"{_prefix}_CLIENT_SECRET", "").strip()
    if _client_id and _secret:
        SOCIALACCOUNT_PROVIDERS[_provider] = {
            "APPS": [{"client_id": _client_id, "secret": _secret}]
        }
        # The sign-in button posts to Stream, which redirects to the provider: browsers hold
        # that redirect to form-action as well.
        CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"] += _origins
# Kakao hands over the address only when asked for it (and the app's consent items include it).
SOCIALACCOUNT_PROVIDERS.setdefault("kakao", {})["SCOPE"] = ["profile_nickname", "account_email"]
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
# Always show the sign-up form (email and display name, prefilled from the provider), as email
# sign-up asks for a display name too.
SOCIALACCOUNT_AUTO_SIGNUP = False
# A provider's verified address that a Stream account has verified too signs in to that account
# and connects the provider to it; an unverified one on either side never does (the adapter).
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
