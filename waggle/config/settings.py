"""Django settings for Waggle, read from the environment with safe laptop defaults."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("WAGGLE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", False)
# Production mode is any run with DEBUG off that is not a laptop demo or the test suite.
WAGGLE_ENV = os.environ.get("WAGGLE_ENV", "development")

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if WAGGLE_ENV == "production":
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "string (for example: python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    SECRET_KEY = "waggle-insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "waggle.core",
    "waggle.topics",
    "waggle.people",
    "waggle.spaces",
    "waggle.exchange",
    "waggle.value",
    "waggle.notify",
    "waggle.harvest",
    "waggle.search",
    "waggle.expertise",
    "waggle.growth",
    "waggle.insights",
    "waggle.api",
    "waggle.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "waggle.config.urls"
WSGI_APPLICATION = "waggle.config.wsgi.application"
ASGI_APPLICATION = "waggle.config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    if WAGGLE_ENV == "production":
        raise ImproperlyConfigured(
            "DATABASE_URL is not set. Production needs PostgreSQL, for example "
            "DATABASE_URL=postgres://waggle:secret@db.example.org:5432/waggle"
        )
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "waggle.sqlite3"),
        }
    }
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):  # the default, or a sqlite:// URL
    # WAL lets the web server read while the task worker writes. Reads go through
    # memory-mapped I/O (the first 2 GiB of the file, SQLite's own ceiling) and a 64 MiB page
    # cache per connection, instead of a read() per page into SQLite's default 2 MiB: at a
    # million posts, lexical search's p95 read a median of 33 ms against 41 ms in eight
    # alternated runs each (bench/RESULTS.md, the notes on the 07:35 runs).
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": ("PRAGMA journal_mode=WAL; PRAGMA mmap_size=2147483648; "
                         "PRAGMA cache_size=-65536;"),
        "timeout": 20,
    })

# The feed index's covering column is a PostgreSQL feature; SQLite just ignores it, which is
# fine for a laptop, so every command need not say so.
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    SILENCED_SYSTEM_CHECKS = ["models.W040"]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "people.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                          "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Side effects (notifications, later indexing) run as tasks. The default queues them in the
# database and `waggle serve` runs a worker beside the web server; WAGGLE_TASKS=immediate runs
# them inline (tests, scripts).
TASKS_MODE = os.environ.get("WAGGLE_TASKS", "database")
TASKS: dict[str, dict[str, Any]]
if TASKS_MODE == "immediate":
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
elif TASKS_MODE == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
else:
    raise ImproperlyConfigured(
        f"WAGGLE_TASKS must be 'database' or 'immediate', not {TASKS_MODE!r}"
    )

LANGUAGE_CODE = "en-us"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
WHITENOISE_USE_FINDERS = True
# whitenoise warns at every start when STATIC_ROOT is missing; with finders it may stay empty.
try:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass

EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "waggle@localhost")
if not os.environ.get("EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", WAGGLE_ENV == "production")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# Largest request body accepted (API and forms); bigger bodies get a 413/400, never a 500.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("WAGGLE_MAX_BODY_BYTES", str(1024 * 1024)))
# Longest markdown body a post or comment may have.
WAGGLE_MAX_POST_CHARS = 50_000
# Aggregates never show a figure about fewer people than this.
WAGGLE_MIN_GROUP_SIZE = int(os.environ.get("WAGGLE_MIN_GROUP_SIZE", "5"))
# Semantic ranking (sentence embeddings; needs the `semantic` extra): "auto" uses it when the
# extra is installed, "off" keeps search lexical.
WAGGLE_SEMANTIC = os.environ.get("WAGGLE_SEMANTIC", "auto")
# From this many thread vectors on, nearest threads are found in an approximate (HNSW) index
# saved in WAGGLE_VECTOR_DIR instead of by an exact matrix product (waggle/search/vectors.py).
WAGGLE_VECTOR_APPROXIMATE_FROM = int(os.environ.get("WAGGLE_VECTOR_APPROXIMATE_FROM", "50000"))
WAGGLE_VECTOR_DIR = Path(os.environ.get("WAGGLE_VECTOR_DIR", VAR_DIR / "vectors"))
# How often a process looks for new thread vectors (seconds).
WAGGLE_VECTOR_REFRESH_SECONDS = float(os.environ.get("WAGGLE_VECTOR_REFRESH_SECONDS", "2"))
# Where the real archives for tests and benchmarks live (never copied into the repo).
WAGGLE_SHARED_DATA = Path(os.environ.get("WAGGLE_SHARED_DATA", BASE_DIR.parent / "shared" / "data"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
# Question routing (waggle/expertise/routing.py): how many people a new question is offered to,
# and, while it stays unanswered, after how many hours it is offered to the next ones (and how
# many more times).
WAGGLE_ROUTE_PEOPLE = int(os.environ.get("WAGGLE_ROUTE_PEOPLE", "5"))
WAGGLE_ESCALATE_AFTER_HOURS = float(os.environ.get("WAGGLE_ESCALATE_AFTER_HOURS", "48"))
WAGGLE_ESCALATION_ROUNDS = int(os.environ.get("WAGGLE_ESCALATION_ROUNDS", "2"))
