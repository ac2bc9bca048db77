"""Settings, read from the environment (12-factor).

DATABASE_URL   sqlite:///var/arrears.sqlite3 by default; postgres://... for PostgreSQL.
ARREARS_SECRET_KEY, ARREARS_DEBUG, ARREARS_ALLOWED_HOSTS for production.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = Path(os.environ.get("ARREARS_HOME", Path.cwd()))
VAR_DIR = PROJECT_DIR / "var"

DEBUG = os.environ.get("ARREARS_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("ARREARS_SECRET_KEY", "") or ("dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("ARREARS_SECRET_KEY must be set when ARREARS_DEBUG=0 (production)")
ALLOWED_HOSTS = os.environ.get("ARREARS_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "arrears.audit",
    "arrears.products",
    "arrears.ledger",
    "arrears.statements",
    "arrears.payments",
    "arrears.delinquency",
    "arrears.cycle",
    "arrears.people",
    "arrears.cases",
    "arrears.contacts",
    "arrears.promises",
    "arrears.compliance",
    "arrears.holds",
    "arrears.outreach",
    "arrears.plans",
    "arrears.concessions",
    "arrears.integrations",
    "arrears.interfaces",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
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
USE_I18N = True
USE_TZ = True
# The bank's zone: instants are stored in UTC (USE_TZ) and shown in this zone; business dates are read in it.
ARREARS_BANK_TIME_ZONE = os.environ.get("ARREARS_BANK_TIME_ZONE", "Asia/Shanghai")
TIME_ZONE = ARREARS_BANK_TIME_ZONE

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The cycle's unit of parallel work: accounts whose ids fall in one block of this many ids.
ARREARS_PARTITION_SIZE = int(os.environ.get("ARREARS_PARTITION_SIZE", "250000"))
# The audit trail's MAC key (docs/architecture.md, "The audit trail"); SECRET_KEY when unset. Changing
# it makes every entry written before fail `arrears audit verify`.
ARREARS_AUDIT_KEY = os.environ.get("ARREARS_AUDIT_KEY", "")

# API bearer tokens: the lifetime a new token gets unless its issuer says otherwise, and the longest allowed.
ARREARS_API_TOKEN_DAYS = int(os.environ.get("ARREARS_API_TOKEN_DAYS", "90"))
ARREARS_API_TOKEN_MAX_DAYS = int(os.environ.get("ARREARS_API_TOKEN_MAX_DAYS", "365"))

if not DEBUG:
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
