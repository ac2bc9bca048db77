"""Settings, read from the environment (12-factor).

DATABASE_URL   sqlite:///var/arrears.sqlite3 by default; postgres://... for PostgreSQL.
ARREARS_SECRET_KEY, ARREARS_ALLOWED_HOSTS for production (DEBUG is off unless ARREARS_DEBUG=1).
ARREARS_DEMO=1 (`make demo`): plain HTTP on this machine, a random key kept in var/secret_key.
ARREARS_DEBUG=1: Django's debug mode for development, with the same kept key when none is given.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from arrears import secret_key

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("ARREARS_HOME", Path.cwd()))
VAR_DIR = PROJECT_DIR / "var"

DEBUG = os.environ.get("ARREARS_DEBUG", "0") == "1"
ARREARS_DEMO = os.environ.get("ARREARS_DEMO", "0") == "1"
# Empty when none is given outside demo and debug mode: servers refuse to start (arrears.secret_key).
_key = secret_key.choose(os.environ, VAR_DIR)
SECRET_KEY = _key.value
ARREARS_SECRET_KEY_SOURCE = _key.source
ALLOWED_HOSTS = os.environ.get("ARREARS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "ninja",  # /api/docs: Swagger UI from ninja's static files, not a CDN
    "arrears.audit",
    "arrears.products",
    "arrears.ledger",
    "arrears.statements",
    "arrears.payments",
    "arrears.delinquency",
    "arrears.cycle",
    "arrears.people",
    "arrears.logins",
    "arrears.cases",
    "arrears.contacts",
    "arrears.promises",
    "arrears.compliance",
    "arrears.holds",
    "arrears.outreach",
    "arrears.plans",
    "arrears.concessions",
    "arrears.integrations",
    "arrears.legal",
    "arrears.agencies",
    "arrears.strategy",
    "arrears.bureau",
    "arrears.inquiries",
    "arrears.complaints",
    "arrears.disputes",
    "arrears.portal",
    "arrears.scoring",
    "arrears.quality",
    "arrears.insight",
    "arrears.hostfeed",
    "arrears.interfaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "arrears.interfaces.web.middleware.security_headers",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "arrears.interfaces.web.middleware.preferred_language",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "arrears.interfaces.web.middleware.session_timeouts",
    "arrears.interfaces.web.middleware.agency_fence",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "arrears.urls"
WSGI_APPLICATION = "arrears.wsgi.application"

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
                "django.template.context_processors.i18n",
                "arrears.interfaces.web.context_processors.business_date",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'arrears.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers work while the cycle writes; IMMEDIATE avoids upgrade deadlocks.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (arrears/formats/<lang>/formats.py): {{ day|date }} gives 2026年11月14日
# or 14 Nov 2026; {{ instant|date:"DATETIME_FORMAT" }} adds the time (10:05).
FORMAT_MODULE_PATH = ["arrears.formats"]
USE_I18N = True
USE_TZ = True
# The bank's zone: instants are stored in UTC (USE_TZ) and shown in this zone; business dates are read in it.
ARREARS_BANK_TIME_ZONE = os.environ.get("ARREARS_BANK_TIME_ZONE", "Asia/Shanghai")
TIME_ZONE = ARREARS_BANK_TIME_ZONE

# Our design system and scripts live in arrears/interfaces/static/arrears/ (an app's static directory);
# `arrears collectstatic` gathers them with the admin's, ninja's (Swagger UI) and django-htmx's into
# STATIC_ROOT for a web server. `runserver --insecure` (make demo) and the tests' live server serve them.
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

LOGIN_URL = "login"
# Sign-in lands each person by role (arrears.interfaces.web.session.landing); this is the fallback.
LOGIN_REDIRECT_URL = "workbench"
LOGOUT_REDIRECT_URL = "login"

# Who keeps the card ledger: "own" (Arrears computes interest, fees, statements and days past due) or
# "host_feed" (the bank's card host sends them each business date as a feed, `arrears feed import`,
# and every money move Arrears decides goes back to the host as an outbound instruction file).
ARREARS_LEDGER_MODE = os.environ.get("ARREARS_LEDGER_MODE", "own")
if ARREARS_LEDGER_MODE not in ("own", "host_feed"):
    raise ImproperlyConfigured(f"ARREARS_LEDGER_MODE must be own or host_feed, not {ARREARS_LEDGER_MODE!r}")
# Where the cycle's partitions and other heavy work run: "inprocess" (this process or its worker
# processes; no broker needed) or "celery" (Celery workers through CELERY_BROKER_URL: Redis or RabbitMQ).
ARREARS_TASKS = os.environ.get("ARREARS_TASKS", "inprocess")
if ARREARS_TASKS not in ("inprocess", "celery"):
    raise ImproperlyConfigured(f"ARREARS_TASKS must be inprocess or celery, not {ARREARS_TASKS!r}")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# The cycle's date is a chord, and a chord needs a result backend: Redis (the broker itself when it is
# Redis; with RabbitMQ as the broker, a Redis beside it). RabbitMQ's rpc:// backend cannot join a chord.
CELERY_RESULT_BACKEND = os.environ.get(
    "CELERY_RESULT_BACKEND",
    CELERY_BROKER_URL if CELERY_BROKER_URL.startswith(("redis://", "rediss://")) else "redis://127.0.0.1:6379/0",
)
CELERY_RESULT_EXPIRES = 86400
# One queue per installation (or per test run): workers take only the tasks of their own queue.
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("ARREARS_CELERY_QUEUE", "arrears")
# A task is acknowledged when it has finished, and given back when its worker dies: a killed worker's
# partition goes to another worker. One task at a time per worker process (no prefetched backlog).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis has no acknowledgement of its own: a task taken by a worker that then vanished (machine lost,
# kill -9) is handed out again once it has been unacknowledged this long, checked every
# ARREARS_CELERY_RESTORE_SECONDS. Longer than the longest partition (a task still running when it expires
# is run twice: harmless, the second run finds its steps done, but wasted).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("ARREARS_CELERY_VISIBILITY_TIMEOUT", "3600")),
    "unacked_restore_interval": int(os.environ.get("ARREARS_CELERY_RESTORE_SECONDS", "10")),
    "unacked_restore_throttle": 1,
}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"visibility_timeout": CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]}

# The cycle's unit of parallel work: accounts whose ids fall in one block of this many ids.
ARREARS_PARTITION_SIZE = int(os.environ.get("ARREARS_PARTITION_SIZE", "250000"))
# The nightly cycle rescores an account by a model when its latest score by it is this many days old.
ARREARS_RESCORE_DAYS = int(os.environ.get("ARREARS_RESCORE_DAYS", "30"))
# The audit trail's MAC key (docs/architecture.md, "The audit trail"); SECRET_KEY when unset. Changing
# it makes every entry written before fail `arrears audit verify`.
ARREARS_AUDIT_KEY = os.environ.get("ARREARS_AUDIT_KEY", "")

# API bearer tokens: the lifetime a new token gets unless its issuer says otherwise, and the longest allowed.
ARREARS_API_TOKEN_DAYS = int(os.environ.get("ARREARS_API_TOKEN_DAYS", "90"))
ARREARS_API_TOKEN_MAX_DAYS = int(os.environ.get("ARREARS_API_TOKEN_MAX_DAYS", "365"))

# Sessions end after ARREARS_SESSION_IDLE_MINUTES without a request, and ARREARS_SESSION_MAX_HOURS
# after sign-in whatever happens (arrears.interfaces.web.middleware.session_timeouts).
ARREARS_SESSION_IDLE_MINUTES = int(os.environ.get("ARREARS_SESSION_IDLE_MINUTES", "30"))
ARREARS_SESSION_MAX_HOURS = int(os.environ.get("ARREARS_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = ARREARS_SESSION_MAX_HOURS * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Sign-in throttling (arrears.logins): this many failures for one user name, or from one address,
# within the window lock sign-in for that name or address for the lock's minutes.
ARREARS_LOGIN_FAILURES_PER_USERNAME = int(os.environ.get("ARREARS_LOGIN_FAILURES_PER_USERNAME", "5"))
ARREARS_LOGIN_FAILURES_PER_ADDRESS = int(os.environ.get("ARREARS_LOGIN_FAILURES_PER_ADDRESS", "5"))
ARREARS_LOGIN_WINDOW_MINUTES = int(os.environ.get("ARREARS_LOGIN_WINDOW_MINUTES", "15"))
ARREARS_LOGIN_LOCK_MINUTES = int(os.environ.get("ARREARS_LOGIN_LOCK_MINUTES", "15"))
# The cardholder portal (/portal/, arrears.portal): its own session cookie and lifetimes, one-time codes
# by SMS, and its own throttle (a wrong code counts against the identity typed and the address).
ARREARS_PORTAL_COOKIE = "arrears_portal"
ARREARS_PORTAL_IDLE_MINUTES = int(os.environ.get("ARREARS_PORTAL_IDLE_MINUTES", "15"))
ARREARS_PORTAL_MAX_HOURS = int(os.environ.get("ARREARS_PORTAL_MAX_HOURS", "8"))
ARREARS_PORTAL_CODE_MINUTES = int(os.environ.get("ARREARS_PORTAL_CODE_MINUTES", "5"))
ARREARS_PORTAL_CODE_TRIES = int(os.environ.get("ARREARS_PORTAL_CODE_TRIES", "3"))
ARREARS_PORTAL_CODES_PER_WINDOW = int(os.environ.get("ARREARS_PORTAL_CODES_PER_WINDOW", "3"))
ARREARS_PORTAL_FAILURES_PER_IDENTITY = int(os.environ.get("ARREARS_PORTAL_FAILURES_PER_IDENTITY", "5"))
ARREARS_PORTAL_FAILURES_PER_ADDRESS = int(os.environ.get("ARREARS_PORTAL_FAILURES_PER_ADDRESS", "10"))
ARREARS_PORTAL_WINDOW_MINUTES = int(os.environ.get("ARREARS_PORTAL_WINDOW_MINUTES", "30"))
ARREARS_PORTAL_LOCK_MINUTES = int(os.environ.get("ARREARS_PORTAL_LOCK_MINUTES", "30"))
# The client's address: REMOTE_ADDR, or behind a proxy that sets it, the header named here (e.g. HTTP_X_REAL_IP).
ARREARS_CLIENT_ADDRESS_HEADER = os.environ.get("ARREARS_CLIENT_ADDRESS_HEADER", "REMOTE_ADDR")

# Headers on every response (Django's own, stated; the rest by arrears.interfaces.web.middleware).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Errors are logged to stderr whatever DEBUG says; tracebacks never reach a response.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {
        "django.request": {"handlers": ["stderr"], "level": "ERROR", "propagate": False},
        "arrears": {"handlers": ["stderr"], "level": "WARNING"},
    },
}

if not DEBUG and not ARREARS_DEMO:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = os.environ.get("ARREARS_SSL_REDIRECT", "1") == "1"
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Outreach. E-mail goes through SMTP; SMS through the adapter named here ("file": a JSON-lines outbox).
EMAIL_HOST = os.environ.get("ARREARS_SMTP_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("ARREARS_SMTP_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("ARREARS_SMTP_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("ARREARS_SMTP_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("ARREARS_SMTP_TLS", "0") == "1"
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = os.environ.get("ARREARS_FROM_EMAIL", "collections@bank.example")
ARREARS_SMS_BACKEND = os.environ.get("ARREARS_SMS_BACKEND", "file")
ARREARS_SMS_OUTBOX = os.environ.get("ARREARS_SMS_OUTBOX", str(VAR_DIR / "sms" / "outbox.jsonl"))
ARREARS_PUBLIC_URL = os.environ.get("ARREARS_PUBLIC_URL", "http://127.0.0.1:8000")
# The payment gateway the cardholder pays through (arrears.payments.gateway): "test" (a page Arrears
# serves at /pay/test/<ref>/) or "file" (checkout requests as JSON lines in ARREARS_PAYMENT_OUTBOX, the
# cardholder sent to ARREARS_PAYMENT_GATEWAY_URL with {ref} filled in). A checkout expires after
# ARREARS_CHECKOUT_MINUTES.
ARREARS_PAYMENT_GATEWAY = os.environ.get("ARREARS_PAYMENT_GATEWAY", "test")
ARREARS_PAYMENT_OUTBOX = os.environ.get("ARREARS_PAYMENT_OUTBOX", str(VAR_DIR / "payments" / "checkouts.jsonl"))
ARREARS_PAYMENT_GATEWAY_URL = os.environ.get("ARREARS_PAYMENT_GATEWAY_URL", "https://pay.bank.example/checkout/{ref}")
ARREARS_CHECKOUT_MINUTES = int(os.environ.get("ARREARS_CHECKOUT_MINUTES", "30"))
# The issuer, as collection letters and messages name it (CN-LETTER).
ARREARS_ISSUER = {
    "name": os.environ.get("ARREARS_ISSUER_NAME", "示例银行信用卡中心"),
    "phone": os.environ.get("ARREARS_ISSUER_PHONE", "400-800-9999"),
    "website": os.environ.get("ARREARS_ISSUER_WEBSITE", "https://card.bank.example"),
    "address": os.environ.get("ARREARS_ISSUER_ADDRESS", "上海市浦东新区示例路 1 号"),
}
# CN-REMIND: remind the cardholder of amount and due date this many days before each due date.
ARREARS_REMIND_DAYS_BEFORE = int(os.environ.get("ARREARS_REMIND_DAYS_BEFORE", "3"))
ARREARS_COMPLIANCE_PACK = os.environ.get("ARREARS_COMPLIANCE_PACK", "CN")
