"""The portal's only settings module: every deployment difference comes from the environment."""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

_TRUE = {"1", "true", "yes", "on", "sim"}
_FALSE = {"0", "false", "no", "off", "nao", "não", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from exc


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return float(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a number, got {raw!r}") from exc


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# A `.env` file next to manage.py fills in what the environment leaves unset (the environment
# wins). `make run` writes DEBUG and PORTAL_BASE_URL there, so every command of the checkout
# runs in the server's development set-up. PORTAL_ENV_FILE names another file; empty, none.
_ENV_FILE = os.environ.get("PORTAL_ENV_FILE", str(BASE_DIR / ".env"))
if _ENV_FILE:
    load_dotenv(_ENV_FILE, override=False)

DEBUG = env_bool("DEBUG", False)

# Development falls back to a fixed key so `make run` needs no set-up; the system check
# `core.E001` refuses to serve with it when DEBUG is off.
DEV_SECRET_KEY = "django-insecure-dev-only-portal-atendimento-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY") or DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "nested_admin",
    "django_htmx",
    "ninja",
    "csp",
    "axes",
    "servicedesk.core",
    "servicedesk.outbox",
    "servicedesk.accounts",
    "servicedesk.catalog",
    "servicedesk.tickets",
    "servicedesk.desk",
    "servicedesk.surveys",
    "servicedesk.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A body cut short (a connection lost mid-upload) is refused before anything reads it.
    "servicedesk.core.bodies.CompleteBodyMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    # NUL, invalid UTF-8 and absurd lengths refused with 400 before any view (and after the
    # CSRF check has parsed a posted form): servicedesk/core/inputguard.py.
    "servicedesk.core.inputguard.InputGuardMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "servicedesk.core.middleware.DevelopmentNotFoundMiddleware",
    # Last, as django-axes requires, so it sees the final response of a failed login.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

_template_loaders = [
    "django.template.loaders.filesystem.Loader",
    "django.template.loaders.app_directories.Loader",
]
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "servicedesk.core.context_processors.portal",
            ],
            # Cached templates everywhere but development, where edits must show at once.
            "loaders": _template_loaders
            if DEBUG
            else [("django.template.loaders.cached.Loader", _template_loaders)],
        },
    }
]

# --- Database ---------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # IMMEDIATE transactions take the write lock up front, so two writers wait for each
    # other instead of failing with "database is locked" halfway through; WAL lets readers
    # go on while someone writes.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Seconds a 503 (the database unreachable) tells clients and proxies to wait (Retry-After).
PORTAL_RETRY_AFTER_SECONDS = env_int("PORTAL_RETRY_AFTER_SECONDS", 30)
IS_POSTGRESQL = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
# Memory for each sort or bitmap of a query. The desk's search reads a common word's matches
# through a GIN bitmap: with PostgreSQL's default 4 MB, a word found in 200,000 tickets
# turns the bitmap lossy and each page re-parses thousands of texts (250 ms instead of
# 70 ms on a million tickets, bench/results/explain-search-1m.txt). Empty: the server's.
DATABASE_WORK_MEM = env_str("DATABASE_WORK_MEM", "16MB")
if IS_POSTGRESQL and DATABASE_WORK_MEM:
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c work_mem={DATABASE_WORK_MEM}".strip()
if IS_POSTGRESQL:
    # Full-text search of the desk (SearchVector/SearchQuery lookups).
    INSTALLED_APPS.append("django.contrib.postgres")

# --- Cache (Redis in production, memory by default) ---------------------------------------
REDIS_URL = env_str("REDIS_URL")
# Redis is an accelerator: a Redis that stops answering must cost a page at most one short
# wait (seconds), after which the cache is skipped for PORTAL_REDIS_RETRY_SECONDS
# (servicedesk/core/breaker.py) and pages read the database.
PORTAL_REDIS_CONNECT_TIMEOUT = env_float("PORTAL_REDIS_CONNECT_TIMEOUT", 0.25)
PORTAL_REDIS_TIMEOUT = env_float("PORTAL_REDIS_TIMEOUT", 0.5)
PORTAL_REDIS_RETRY_SECONDS = env_float("PORTAL_REDIS_RETRY_SECONDS", 10)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "servicedesk.core.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "portal",
            # Passed to redis-py's connection pool (Django's documented OPTIONS).
            "OPTIONS": {
                "socket_connect_timeout": PORTAL_REDIS_CONNECT_TIMEOUT,
                "socket_timeout": PORTAL_REDIS_TIMEOUT,
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Repeated reads (catalog, desk tab counts and filters, a requester's counters) served from
# the cache until a write changes them (servicedesk/core/readcache.py). Needs a cache every
# worker shares, so it is on with Redis only, unless set explicitly (a single process).
PORTAL_READ_CACHE = env_bool("PORTAL_READ_CACHE", bool(REDIS_URL))
PORTAL_READ_CACHE_SECONDS = env_int("PORTAL_READ_CACHE_SECONDS", 600)

# --- Background tasks (Celery) ----------------------------------------------------------
# With REDIS_URL, tasks go to a Celery worker through Redis; without it (the embedded
# default) they run inline, in the request or command that queues them.
# CELERY_BROKER_URL (e.g. amqp://user:password@rabbitmq:5672//) puts the broker elsewhere
# than the cache's Redis (README: Delivery guarantees).
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = env_bool(
    "CELERY_TASK_ALWAYS_EAGER", CELERY_BROKER_URL.startswith("memory://")
)
CELERY_TASK_EAGER_PROPAGATES = True
# The queue tasks go to, and the worker's -Q: one of its own when the Redis is shared.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it ends, so a worker that dies mid-task leaves it to another.
# With Redis as broker, a task not acknowledged within the visibility timeout is handed out
# again: it must exceed the longest task (an outbox run stops starting deliveries after
# PORTAL_OUTBOX_TASK_SECONDS, plus one e-mail's EMAIL_TIMEOUT) and the longest retry
# countdown (PORTAL_OUTBOX_RETRY_MAX_SECONDS), or a task would run twice. The outbox's
# sweep re-queues an interrupted event sooner than this (PORTAL_OUTBOX_STALE_SECONDS).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
PORTAL_CELERY_VISIBILITY_TIMEOUT = env_int("PORTAL_CELERY_VISIBILITY_TIMEOUT", 600)
# Seconds a publish waits for the broker: the relay after a commit must never hold a request
# for long (the event stays in the outbox for the sweep instead).
PORTAL_BROKER_TIMEOUT_SECONDS = env_float("PORTAL_BROKER_TIMEOUT_SECONDS", 2)
# The same for Celery workers (config/celery.py): long enough to outlast a short stall.
PORTAL_WORKER_BROKER_TIMEOUT_SECONDS = env_float("PORTAL_WORKER_BROKER_TIMEOUT_SECONDS", 30)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": PORTAL_CELERY_VISIBILITY_TIMEOUT,
    "socket_timeout": PORTAL_BROKER_TIMEOUT_SECONDS,
    "socket_connect_timeout": PORTAL_BROKER_TIMEOUT_SECONDS,
    # A publish does not reconnect in a loop (kombu's default waits up to the connection
    # timeout): the worker's own consumer reconnects on its own terms
    # (CELERY_BROKER_CONNECTION_MAX_RETRIES), the outbox's sweep re-queues what was missed.
    "max_retries": 0,
}
CELERY_BROKER_CONNECTION_TIMEOUT = PORTAL_BROKER_TIMEOUT_SECONDS
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = env_str("TIME_ZONE", "America/Sao_Paulo")

# --- Outbox (servicedesk/outbox/services.py, docs/outbox.md) ------------------------------
# Attempts of one delivery (one e-mail) before it is marked failed, and the back-off between
# them in seconds (doubling, with jitter): 10 attempts reach about 30 minutes.
PORTAL_OUTBOX_MAX_ATTEMPTS = env_int("PORTAL_OUTBOX_MAX_ATTEMPTS", 10)
PORTAL_OUTBOX_RETRY_BASE_SECONDS = env_float("PORTAL_OUTBOX_RETRY_BASE_SECONDS", 10)
PORTAL_OUTBOX_RETRY_MAX_SECONDS = env_float("PORTAL_OUTBOX_RETRY_MAX_SECONDS", 300)
# Seconds a worker keeps trying to record a delivery it has just sent when the database
# dropped the commit, before handing the record to a Celery retry: well under
# PORTAL_OUTBOX_STALE_SECONDS, so that the sweep never re-runs the event first.
PORTAL_OUTBOX_MARK_RETRY_SECONDS = env_float("PORTAL_OUTBOX_MARK_RETRY_SECONDS", 30)
# Retries of a run the database interrupted (back-off 1, 2, 4 … 60 s); then the sweep.
PORTAL_OUTBOX_DATABASE_RETRIES = env_int("PORTAL_OUTBOX_DATABASE_RETRIES", 30)
# A run stops starting deliveries after this many seconds and continues in a new run.
PORTAL_OUTBOX_TASK_SECONDS = env_float("PORTAL_OUTBOX_TASK_SECONDS", 120)
# The sweep runs every PORTAL_OUTBOX_SWEEP_SECONDS and re-queues a pending event the broker
# never took, or one still pending this long after it was due (a worker lost mid-event).
PORTAL_OUTBOX_SWEEP_SECONDS = env_float("PORTAL_OUTBOX_SWEEP_SECONDS", 60)
PORTAL_OUTBOX_STALE_SECONDS = env_float("PORTAL_OUTBOX_STALE_SECONDS", 180)
# Finished events are deleted after this many days (failed ones are kept for the admin).
PORTAL_OUTBOX_KEEP_DAYS = env_int("PORTAL_OUTBOX_KEEP_DAYS", 90)

CELERY_BEAT_SCHEDULE = {
    # Automatic approval, resolution, closing and reminders of the ticket lifecycle.
    "ticket-automatic-transitions": {
        "task": "tickets.automatic_transitions_run",
        "schedule": 60 * 60,
    },
    "outbox-sweep": {"task": "outbox.sweep", "schedule": PORTAL_OUTBOX_SWEEP_SECONDS},
    # Images pasted into messages that were never sent.
    "ticket-inline-images-purge": {
        "task": "tickets.inline_images_purge",
        "schedule": 60 * 60,
    },
}

# --- Authentication -----------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses locked-out CPFs and IPs before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend whose failed checks all cost the same, whatever the hash.
    "servicedesk.accounts.backends.EqualCostModelBackend",
    # Never reached for a password (the one above ends every check); listed so that sessions
    # opened through it before the upgrade stay valid (SESSION_COOKIE_AGE, 10 hours).
    "django.contrib.auth.backends.ModelBackend",
]
# Argon2id with the OWASP parameters (19 MiB, t=2, p=1) for new hashes; hashes made with
# Django's 100 MiB Argon2 and the others (synced from SIOP) still verify and are rehashed
# with it at the user's next successful login.
PASSWORD_HASHERS = [
    "servicedesk.accounts.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Argon2 hashes computed at once per process (19 MiB each): bounds a threaded worker's memory
# during a login wave (servicedesk/accounts/hashers.py).
PORTAL_PASSWORD_HASHES_AT_ONCE = env_int("PORTAL_PASSWORD_HASHES_AT_ONCE", 2)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
# Where agents and supervisors land after logging in without a `next`: their workspace.
PORTAL_AGENT_LOGIN_REDIRECT_URL = "desk:queue"
LOGOUT_REDIRECT_URL = "accounts:login"

SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 10)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# django-axes: 5 failures lock the CPF for 15 minutes. The IP address is locked only at a
# much higher count (PORTAL_LOGIN_IP_FAILURE_LIMIT), so one person cannot lock out everyone
# behind a ministry's NAT; servicedesk/accounts/lockout.py counts each against its limit.
AXES_FAILURE_LIMIT = env_int("PORTAL_LOGIN_FAILURE_LIMIT", 5)
PORTAL_LOGIN_IP_FAILURE_LIMIT = env_int("PORTAL_LOGIN_IP_FAILURE_LIMIT", 100)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("PORTAL_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_HANDLER = "servicedesk.accounts.lockout.CpfAndAddressHandler"
AXES_USERNAME_CALLABLE = "servicedesk.accounts.lockout.username_from_request"
AXES_LOCKOUT_CALLABLE = "servicedesk.accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
# Attempts during the lock-out do not push its end further: it lasts exactly the cool-off.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_VERBOSE = False
# Number of reverse proxies in front of the portal, each appending to X-Forwarded-For, so the
# real client IP is counted (README, "Login lock-out"). 0: the TCP peer address.
PORTAL_PROXY_COUNT = env_int("PORTAL_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "servicedesk.accounts.lockout.client_ip"

# --- Internationalisation ---------------------------------------------------------------
LANGUAGE_CODE = "pt-br"
LANGUAGES = [("pt-br", "Português (Brasil)")]
TIME_ZONE = env_str("TIME_ZONE", "America/Sao_Paulo")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

# --- Static and media files -------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Development and tests serve static files straight from the source folders; production
# serves the compressed, content-hashed copies that `collectstatic` writes to STATIC_ROOT.
STATIC_FROM_SOURCE = env_bool("PORTAL_STATIC_FROM_SOURCE", DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if STATIC_FROM_SOURCE
        else "servicedesk.core.storage.StaticFilesStorage"
    },
}
STATIC_ROOT = (
    None if STATIC_FROM_SOURCE else Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
)
WHITENOISE_USE_FINDERS = STATIC_FROM_SOURCE
WHITENOISE_AUTOREFRESH = DEBUG

# --- E-mail -----------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str(
    "DEFAULT_FROM_EMAIL", "Portal de Atendimento SIOP <nao-responda@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address as its users reach it: e-mails carry absolute links to it.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "http://127.0.0.1:8000").rstrip("/")

# --- Security headers -------------------------------------------------------------------
# Production defaults are strict; a deployment behind a TLS-terminating proxy sets
# SECURE_PROXY_SSL_HEADER=true so Django knows the original request was HTTPS.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Everything the pages load is vendored and served by us: nothing from another origin.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# --- Logging ----------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        # Replaces Django's own console handler so development messages are not printed twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "axes": {"level": "WARNING"},
    },
}

# --- The portal's own settings ----------------------------------------------------------
PORTAL_NAME = env_str("PORTAL_NAME", "Portal de Atendimento SIOP")
PORTAL_SUPPORT_CONTACT = env_str(
    "PORTAL_SUPPORT_CONTACT", "a equipe da CGTEC na Secretaria de Orçamento Federal (SOF)"
)
# Shared secret of the SIOP account sync API; empty disables the endpoint (404).
PORTAL_SIOP_SYNC_SECRET = env_str("PORTAL_SIOP_SYNC_SECRET")
PORTAL_SIOP_SYNC_MAX_SKEW_SECONDS = env_int("PORTAL_SIOP_SYNC_MAX_SKEW_SECONDS", 300)
# Largest request body the JSON API reads (bytes); larger ones get 413 before being read.
PORTAL_API_MAX_BODY_BYTES = env_int("PORTAL_API_MAX_BODY_BYTES", 1024 * 1024)
# Attachments: count per submission, size of each file, accepted extensions.
PORTAL_ATTACHMENT_MAX_FILES = env_int("PORTAL_ATTACHMENT_MAX_FILES", 10)
PORTAL_ATTACHMENT_MAX_MB = env_int("PORTAL_ATTACHMENT_MAX_MB", 25)
# Images pasted into a message are stored before it is sent: each user may hold this many
# (and this many MB) not yet in a posted message; those never posted are deleted after
# PORTAL_INLINE_IMAGE_PENDING_HOURS by the periodic job.
PORTAL_INLINE_IMAGE_PENDING_MAX = env_int("PORTAL_INLINE_IMAGE_PENDING_MAX", 20)
PORTAL_INLINE_IMAGE_PENDING_MAX_MB = env_int("PORTAL_INLINE_IMAGE_PENDING_MAX_MB", 100)
PORTAL_INLINE_IMAGE_PENDING_HOURS = env_int("PORTAL_INLINE_IMAGE_PENDING_HOURS", 24)
# Behind nginx, e.g. "/protegido/": the portal checks access and nginx streams the file from
# an `internal` location mapped to MEDIA_ROOT (X-Accel-Redirect). Empty: Django streams it.
PORTAL_ATTACHMENT_X_ACCEL_PREFIX = env_str("PORTAL_ATTACHMENT_X_ACCEL_PREFIX")
PORTAL_FEEDBACK_DAYS = env_int("PORTAL_FEEDBACK_DAYS", 10)
PORTAL_REOPEN_DAYS = env_int("PORTAL_REOPEN_DAYS", 10)
# The reminder before an automatic resolution goes out this many days before it.
PORTAL_REMINDER_DAYS_BEFORE = env_int("PORTAL_REMINDER_DAYS_BEFORE", 2)
# The satisfaction survey can be answered this long after resolution, and edited for a while.
PORTAL_SURVEY_DAYS = env_int("PORTAL_SURVEY_DAYS", 30)
PORTAL_SURVEY_EDIT_HOURS = env_int("PORTAL_SURVEY_EDIT_HOURS", 12)
# A form that creates something can be sent up to this many hours after it was shown, and a
# repeat of it (double click, resend) within that time lands on the first result
# (servicedesk/core/submissions.py). Past it, the form asks to be sent again. At least the
# session's age: a page left open longer needs a new login anyway.
PORTAL_SUBMISSION_HOURS = env_int("PORTAL_SUBMISSION_HOURS", 24)

# --- gov.br (Login Único: OpenID Connect through mozilla-django-oidc) ----------------------
# The button and the routes exist only when the issuer, client id and secret are all set.
# Endpoints derive from the issuer with gov.br's own paths (note `jwk`, not `jwks`, and the
# slash after `userinfo`); each can be overridden for a provider that differs.
PORTAL_GOVBR_ISSUER = env_str("PORTAL_GOVBR_ISSUER").strip()
_govbr_base = PORTAL_GOVBR_ISSUER.rstrip("/") + "/" if PORTAL_GOVBR_ISSUER else ""
OIDC_RP_CLIENT_ID = env_str("PORTAL_GOVBR_CLIENT_ID").strip()
OIDC_RP_CLIENT_SECRET = env_str("PORTAL_GOVBR_CLIENT_SECRET")
OIDC_OP_AUTHORIZATION_ENDPOINT = env_str(
    "PORTAL_GOVBR_AUTHORIZATION_ENDPOINT", _govbr_base and _govbr_base + "authorize"
)
OIDC_OP_TOKEN_ENDPOINT = env_str(
    "PORTAL_GOVBR_TOKEN_ENDPOINT", _govbr_base and _govbr_base + "token"
)
OIDC_OP_JWKS_ENDPOINT = env_str("PORTAL_GOVBR_JWKS_ENDPOINT", _govbr_base and _govbr_base + "jwk")
OIDC_OP_USER_ENDPOINT = env_str(
    "PORTAL_GOVBR_USERINFO_ENDPOINT", _govbr_base and _govbr_base + "userinfo/"
)
PORTAL_GOVBR_LOGOUT_ENDPOINT = env_str(
    "PORTAL_GOVBR_LOGOUT_ENDPOINT", _govbr_base and _govbr_base + "logout"
)
OIDC_RP_SCOPES = "openid email profile govbr_confiabilidades govbr_confiabilidades_idtoken"
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_PKCE_CODE_CHALLENGE_METHOD = "S256"
OIDC_TOKEN_USE_BASIC_AUTH = True
# Accounts come from SIOP only: a CPF without an account is refused, never created.
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:govbr_callback"
# Seconds to wait for gov.br's token and key endpoints before telling the user it is down.
OIDC_TIMEOUT = env_int("PORTAL_GOVBR_TIMEOUT_SECONDS", 10)
# gov.br's ID tokens live about 60 seconds: tolerate a small clock difference, no more.
PORTAL_GOVBR_CLOCK_LEEWAY_SECONDS = env_int("PORTAL_GOVBR_CLOCK_LEEWAY_SECONDS", 10)
# Lowest gov.br trust level allowed in (bronze, silver or gold); empty allows any.
PORTAL_GOVBR_MIN_LEVEL = env_str("PORTAL_GOVBR_MIN_LEVEL").strip().lower()
if PORTAL_GOVBR_MIN_LEVEL not in {"", "bronze", "silver", "gold"}:
    raise ImproperlyConfigured(
        f"PORTAL_GOVBR_MIN_LEVEL must be bronze, silver or gold, got {PORTAL_GOVBR_MIN_LEVEL!r}"
    )
AUTHENTICATION_BACKENDS += ["servicedesk.accounts.govbr.backends.GovbrBackend"]
