"""Django settings, read from the environment (see README's configuration table)."""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from cryptography.fernet import Fernet

from dxconnector import logs
from dxconnector.config.env import REQUIRED, Env, parse_email_url

env = Env()

PACKAGE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env.str("DATA_DIR", str(Path.cwd() / "data")))

DEBUG = env.bool("DEBUG", False)

# --- secrets -------------------------------------------------------------
_DEV_SECRET = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env.str("SECRET_KEY", _DEV_SECRET if DEBUG else REQUIRED)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    env.problem("SECRET_KEY must not be the development key when DEBUG is off.")
if not DEBUG and SECRET_KEY and len(SECRET_KEY) < 32:
    env.problem("SECRET_KEY must be at least 32 characters long.")


def _derived_fernet_key(secret: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(b"dxconnector-dev-encryption:" + secret.encode()).digest()).decode()


# The first key encrypts; every key decrypts (rotation: prepend a new key, re-encrypt, drop the old).
ENCRYPTION_KEYS = env.list("ENCRYPTION_KEYS", [_derived_fernet_key(SECRET_KEY)] if DEBUG else REQUIRED)
for _index, _key in enumerate(ENCRYPTION_KEYS, start=1):
    try:
        Fernet(_key.encode())
    except (ValueError, TypeError):
        env.problem(f"ENCRYPTION_KEYS entry {_index} is not a valid Fernet key (32 url-safe base64-encoded bytes).")

# --- where we are reached -------------------------------------------------
# With DEBUG off every URL the connector is reached at or sends secrets to is https, but on this machine itself.
_HTTPS = not DEBUG
BASE_URL = env.url("BASE_URL", "http://127.0.0.1:8000" if DEBUG else REQUIRED, require_https=_HTTPS)
_base_host = urlsplit(BASE_URL).hostname or ""
ALLOWED_HOSTS = sorted({_base_host, *env.list("ALLOWED_HOSTS", [])} - {""})
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]", "testserver"]
CSRF_TRUSTED_ORIGINS = [f"{urlsplit(BASE_URL).scheme}://{urlsplit(BASE_URL).netloc}"] if _base_host else []

# --- product --------------------------------------------------------------
TRIAL_DAYS = env.int("TRIAL_DAYS", 30, minimum=1)
REGISTRATION_LINK_HOURS = env.int("REGISTRATION_LINK_HOURS", 48, minimum=1)
WORKER_HEARTBEAT_SECONDS = env.int("WORKER_HEARTBEAT_SECONDS", 5, minimum=1)
WORKER_STALE_SECONDS = env.int("WORKER_STALE_SECONDS", 60, minimum=2)
# How long a worker told to stop (SIGTERM) lets its run reach a batch boundary before ending it there and then.
WORKER_STOP_SECONDS = env.int("WORKER_STOP_SECONDS", 30, minimum=1)
# How long a job may wait behind jobs of a higher priority before it is raised above them: priority orders the queue, it
# must not starve it (a catch-up's next slice behind live work that never lets up).
JOB_MAX_WAIT_SECONDS = env.int("JOB_MAX_WAIT_SECONDS", 30, minimum=1)
SYNC_SWEEP_SECONDS = env.int("SYNC_SWEEP_SECONDS", 300, minimum=10)
# How long a sweep (or a Dynamics webhook's run) goes without asking Xero what changed when Xero's webhooks say nothing.
SYNC_XERO_POLL_SECONDS = env.int("SYNC_XERO_POLL_SECONDS", 1800, minimum=10)
# How often Xero's reference lists (accounts, tax rates, themes, tracking, currencies) are read again into Dynamics.
SYNC_REFERENCE_SECONDS = env.int("SYNC_REFERENCE_SECONDS", 21600, minimum=10)
# Retention (docs/operating.md, "Retention"): Xero's webhook events, finished jobs' results and log-in lockout records
# are kept this many days; the portal's summary of the sync history (runs, attempts) HISTORY_RETENTION_DAYS — the full
# history is in Dynamics' sync history rows, which the connector never prunes. Expired sessions go whatever their age.
RETENTION_DAYS = env.int("RETENTION_DAYS", 90, minimum=1)
HISTORY_RETENTION_DAYS = env.int("HISTORY_RETENTION_DAYS", 365, minimum=1)
# How long a run holds its connection after its last sign of life: a killed worker's connection is free again after this.
SYNC_LEASE_SECONDS = env.int("SYNC_LEASE_SECONDS", 60, minimum=3)
# A run the clock or a first sync started sends at most this many changed invoices, then queues the rest behind live
# work (docs/operating.md, "Fair work across connections").
SYNC_SLICE_INVOICES = env.int("SYNC_SLICE_INVOICES", 2000, minimum=1)

# --- Xero (the real service by default; the sandbox in demo and tests) ----------------------
XERO_CLIENT_ID = env.str("XERO_CLIENT_ID", "")
XERO_CLIENT_SECRET = env.str("XERO_CLIENT_SECRET", "")
XERO_WEBHOOK_KEY = env.str("XERO_WEBHOOK_KEY", "")
XERO_AUTHORIZE_URL = env.url("XERO_AUTHORIZE_URL", "https://login.xero.com/identity/connect/authorize", require_https=_HTTPS)
XERO_TOKEN_URL = env.url("XERO_TOKEN_URL", "https://identity.xero.com/connect/token", require_https=_HTTPS)
XERO_REVOCATION_URL = env.url("XERO_REVOCATION_URL", "https://identity.xero.com/connect/revocation", require_https=_HTTPS)
XERO_CONNECTIONS_URL = env.url("XERO_CONNECTIONS_URL", "https://api.xero.com/connections", require_https=_HTTPS)
XERO_API_URL = env.url("XERO_API_URL", "https://api.xero.com/api.xro/2.0", require_https=_HTTPS)
# Xero's web app, where the history's links open an invoice (a page in the admin's browser; the connector never calls it).
XERO_APP_URL = env.url("XERO_APP_URL", "https://go.xero.com", require_https=_HTTPS)
XERO_SCOPES = env.str(
    "XERO_SCOPES", "openid profile email offline_access accounting.transactions accounting.contacts accounting.settings"
)
# --- Microsoft (Entra ID, Global Discovery, Dataverse) -----------------------------------
# Where the history's links open a record in Dynamics (a page in the admin's browser): empty, Dynamics' own form under
# the organisation's address; else an address with {org_url}, {org} (its unique name), {table} and {id} in it.
DYNAMICS_RECORD_URL = env.str("DYNAMICS_RECORD_URL", "")
DYNAMICS_CLIENT_ID = env.str("DYNAMICS_CLIENT_ID", "")
DYNAMICS_CLIENT_SECRET = env.str("DYNAMICS_CLIENT_SECRET", "")
DYNAMICS_AUTHORITY = env.url("DYNAMICS_AUTHORITY", "https://login.microsoftonline.com/organizations", schemes=("https",))
DYNAMICS_DISCOVERY_URL = env.url("DYNAMICS_DISCOVERY_URL", "https://globaldisco.crm.dynamics.com", schemes=("https",))
# Global Discovery's resource ends in "/", hence the double slash Microsoft's own samples use.
DYNAMICS_DISCOVERY_SCOPE = env.str("DYNAMICS_DISCOVERY_SCOPE", DYNAMICS_DISCOVERY_URL + "//user_impersonation")
# For operators who connect through an application user (client credentials) instead of a person's sign-in.
DYNAMICS_APP_CLIENT_ID = env.str("DYNAMICS_APP_CLIENT_ID", DYNAMICS_CLIENT_ID)
DYNAMICS_APP_CLIENT_SECRET = env.str("DYNAMICS_APP_CLIENT_SECRET", DYNAMICS_CLIENT_SECRET)
# Organisations are reached, and sent tokens, only on Microsoft's Dataverse hosts (dxconnector.dynamics.hosts) and on
# these: `host` or `host:port`, comma-separated (the sandbox's in the demo and the tests).
DATAVERSE_EXTRA_HOSTS = env.hosts("DATAVERSE_EXTRA_HOSTS", [])
# Dataverse's service protection budget per organisation and user, which every process spends from (docs/operating.md,
# "One Dataverse budget"), kept in the same store as Xero's: Dataverse's own are 6,000 requests in 5 minutes and 52 at
# once. DATAVERSE_TIME_SCALE: against a time-scaled sandbox only, as XERO_TIME_SCALE.
DATAVERSE_REQUESTS_PER_WINDOW = env.int("DATAVERSE_REQUESTS_PER_WINDOW", 6000, minimum=1)
DATAVERSE_CONCURRENT_REQUESTS = env.int("DATAVERSE_CONCURRENT_REQUESTS", 52, minimum=1)
DATAVERSE_TIME_SCALE = float(env.int("DATAVERSE_TIME_SCALE", 1, minimum=1))

# Against a time-scaled sandbox only: simulated seconds per real second, so the client paces itself alike.
XERO_TIME_SCALE = float(env.int("XERO_TIME_SCALE", 1, minimum=1))
# Xero's per-organisation call budget the client paces itself to. Xero's own are 60 a minute and 5,000 a day;
# only a sandbox running with its limits off (the benchmarks) has a reason for more.
XERO_CALLS_PER_MINUTE = env.int("XERO_CALLS_PER_MINUTE", 60, minimum=1)
XERO_CALLS_PER_DAY = env.int("XERO_CALLS_PER_DAY", 5000, minimum=1)
# The app's budget across all its organisations (Xero's: 10,000 a minute).
XERO_APP_CALLS_PER_MINUTE = env.int("XERO_APP_CALLS_PER_MINUTE", 10_000, minimum=1)
# Every process keeps to one budget per Xero organisation and per app (docs/operating.md, "One Xero budget"), and to one
# per Dataverse organisation and user: in Redis when REDIS_URL is set, else in the database; "memory" keeps each process
# to its own count (one process only).
REDIS_URL = env.url("REDIS_URL", "", schemes=("redis", "rediss", "unix"))
XERO_BUDGET_STORE = env.str("XERO_BUDGET_STORE", "redis" if REDIS_URL else "database").lower()
if XERO_BUDGET_STORE not in ("database", "redis", "memory"):
    env.problem(f"XERO_BUDGET_STORE must be database, redis or memory, got {XERO_BUDGET_STORE!r}.")
if XERO_BUDGET_STORE == "redis" and not REDIS_URL:
    env.problem("XERO_BUDGET_STORE is redis but REDIS_URL is not set.")
# What the budgets' keys in Redis start with: deployments sharing one Redis keep apart by it.
XERO_BUDGET_REDIS_PREFIX = env.str("XERO_BUDGET_REDIS_PREFIX", "dxconnector:budget:")
# A call's slot held by a process that died frees itself after this long (real seconds; longer than any call).
XERO_SLOT_LEASE_SECONDS = env.int("XERO_SLOT_LEASE_SECONDS", 120, minimum=1)
# The CA bundle every outbound HTTPS client trusts; empty means the system's (certifi's) store.
CA_BUNDLE = env.str("CA_BUNDLE", "")
if CA_BUNDLE and not Path(CA_BUNDLE).is_file():
    env.problem(f"CA_BUNDLE points at {CA_BUNDLE}, which is not a file.")

# --- database -------------------------------------------------------------
_default_db = f"sqlite:///{DATA_DIR / 'dxconnector.sqlite3'}"
_database_url = env.str("DATABASE_URL", _default_db)
try:
    _db = dj_database_url.parse(_database_url, conn_max_age=0)
except ValueError as exc:
    env.problem(f"DATABASE_URL is not a database URL we understand ({exc}): use sqlite:///path or postgres://user@host/db.")
    _db = dj_database_url.parse(_default_db)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    # WAL + busy timeout + IMMEDIATE transactions let the web and worker processes share one file.
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- email ----------------------------------------------------------------
_email_url = env.str("EMAIL_URL", "console://" if DEBUG else REQUIRED)
try:
    _email = parse_email_url(_email_url) if _email_url else parse_email_url("console://")
except ValueError as exc:
    env.problem(f"EMAIL_URL: {exc}.")
    _email = parse_email_url("console://")
EMAIL_BACKEND = _email.backend
EMAIL_HOST, EMAIL_PORT = _email.host, _email.port
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD = _email.user, _email.password
EMAIL_USE_TLS, EMAIL_USE_SSL = _email.use_tls, _email.use_ssl
EMAIL_FILE_PATH = _email.file_path or None
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = env.str("EMAIL_FROM", "Dynamics Xero Connector <noreply@localhost>")

# --- Django ---------------------------------------------------------------
INSTALLED_APPS = [
    "dxconnector.portal",  # first, so its registration/ templates win over the admin's
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "dxconnector.connections",
    "dxconnector.jobs",
    "dxconnector.sync",
]

MIDDLEWARE = [
    "dxconnector.config.middleware.RequestIdMiddleware",  # first: every log line of the request carries its id
    "django.middleware.security.SecurityMiddleware",
    "dxconnector.config.security.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "dxconnector.config.urls"
WSGI_APPLICATION = "dxconnector.config.wsgi.application"

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

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
# A session ends after this long without a request (each request starts the time again): the session is saved, and its
# cookie sent again, on every request.
SESSION_IDLE_MINUTES = env.int("SESSION_IDLE_MINUTES", 60, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True

# Failed log-ins (docs/operating.md, "Security"): django-axes records them; portal.sign_in_limits locks an account after
# LOGIN_FAILURE_LIMIT failures from any address, and an address after LOGIN_ADDRESS_FAILURE_LIMIT for any accounts, each
# for LOGIN_LOCKOUT_MINUTES doubling with every further failure up to LOGIN_LOCKOUT_MAX_HOURS; neither holds a browser its
# user signed in with before (for LOGIN_KNOWN_BROWSER_DAYS). Failures are forgotten LOGIN_LOCKOUT_MAX_HOURS after the last.
AXES_HANDLER = "dxconnector.portal.sign_in_limits.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", 10, minimum=1)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
LOGIN_LOCKOUT_MINUTES = env.int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_LOCKOUT_MAX_HOURS = env.int("LOGIN_LOCKOUT_MAX_HOURS", 24, minimum=1)
LOGIN_KNOWN_BROWSER_DAYS = env.int("LOGIN_KNOWN_BROWSER_DAYS", 180, minimum=1)
AXES_COOLOFF_TIME = float(LOGIN_LOCKOUT_MAX_HOURS)  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_USERNAME_CALLABLE = "dxconnector.portal.sign_in_limits.username"
# A log-in refused while locked is not counted: the lock ends on time.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Every post of the forms anyone can use, per address and per email: (posts, in seconds). Over either: 429.
THROTTLES = {
    "login": {"address": (60, 3600), "email": (30, 3600)},
    "register": {"address": (10, 3600), "email": (3, 3600)},
    "password_reset": {"address": (10, 3600), "email": (3, 3600)},
}
# The address is REMOTE_ADDR, which the web server has already made the client's when the request came through a
# trusted proxy (TRUSTED_PROXIES); never a forwarding header, which a client could write. Said explicitly, so that
# django-ipware, if installed, reads the same.
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)
# Its log lines name the client's address (the operator's clue to who is locked out, and that the proxy is trusted);
# the email address typed stays masked.
AXES_SENSITIVE_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# --- jobs -----------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- secure defaults when DEBUG is off --------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Only the portal's own stylesheet, images and forms: no script anywhere, no inline style; data: for the empty favicon.
CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = 0 if DEBUG else env.int("HSTS_SECONDS", 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_SSL_REDIRECT = False if DEBUG else env.bool("SECURE_SSL_REDIRECT", True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]  # for monitors that call the web server directly

# --- the web server: behind a TLS proxy, and what it accepts -------------------------------
# `dxconnector web` (waitress) believes X-Forwarded-For and X-Forwarded-Proto only from a peer in TRUSTED_PROXIES:
# REMOTE_ADDR becomes the client's address (what the log-in lockout counts and the logs show) and wsgi.url_scheme
# the scheme the client used (so Django knows the request was HTTPS). From any other peer these headers are removed.
# BEHIND_TLS_PROXY=true is the short way to say "one proxy, on this machine". TRUSTED_PROXY_COUNT is how many
# proxies in a row (the nearest in TRUSTED_PROXIES) add themselves to X-Forwarded-For.
_LOOPBACK = ["127.0.0.1", "::1"]
_proxies_given = bool(env.environ.get("TRUSTED_PROXIES", "").strip())
BEHIND_TLS_PROXY = env.bool("BEHIND_TLS_PROXY", _proxies_given)
TRUSTED_PROXIES = env.networks("TRUSTED_PROXIES", _LOOPBACK if BEHIND_TLS_PROXY else [])
if _proxies_given and not BEHIND_TLS_PROXY:
    env.problem("TRUSTED_PROXIES is set but BEHIND_TLS_PROXY is false: unset BEHIND_TLS_PROXY, or TRUSTED_PROXIES.")
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", 1, minimum=1)
if env.environ.get("TRUSTED_PROXY_COUNT", "").strip() and not BEHIND_TLS_PROXY:
    env.problem("TRUSTED_PROXY_COUNT means nothing without TRUSTED_PROXIES (or BEHIND_TLS_PROXY=true).")
# The largest request body the web server takes; a larger one is answered 413 before it reaches Django.
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", 10 * 1024 * 1024, minimum=1024)

# --- monitoring: /metrics and the logs (docs/operating.md, "Monitoring") ------------------------------
# /metrics answers only a request bearing this token (`Authorization: Bearer …`); without one it answers 404.
METRICS_TOKEN = env.str("METRICS_TOKEN", "")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    env.problem("METRICS_TOKEN must be at least 16 characters long.")
# The API calls are counted in every process (web, workers, `dxconnector sync`), each in its own file in this folder,
# and /metrics adds them up: prometheus-client's multiprocess mode, which reads the variable itself when first imported.
PROMETHEUS_MULTIPROC_DIR = Path(env.str("PROMETHEUS_MULTIPROC_DIR", str(DATA_DIR / "metrics")))
os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(PROMETHEUS_MULTIPROC_DIR)
try:
    PROMETHEUS_MULTIPROC_DIR.mkdir(parents=True, exist_ok=True)
except OSError as exc:
    env.problem(f"PROMETHEUS_MULTIPROC_DIR: cannot make the folder {PROMETHEUS_MULTIPROC_DIR} ({exc.strerror}).")

LOG_LEVEL = env.str("LOG_LEVEL", "INFO").upper()
if LOG_LEVEL not in ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"):
    env.problem(f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, got {LOG_LEVEL!r}.")
    LOG_LEVEL = "INFO"
# One JSON object a line (time, level, logger, message, request_id, run_id, connection_id), or plain text.
LOG_FORMAT = env.str("LOG_FORMAT", "plain" if DEBUG else "json").lower()
if LOG_FORMAT not in logs.FORMATS:
    env.problem(f"LOG_FORMAT must be json or plain, got {LOG_FORMAT!r}.")
    LOG_FORMAT = "json"
# Never written to a log line, wherever they would appear (with tokens, codes and Authorization headers: dxconnector.logs).
_NEVER_LOGGED = [SECRET_KEY, *ENCRYPTION_KEYS, XERO_CLIENT_SECRET, XERO_WEBHOOK_KEY, DYNAMICS_CLIENT_SECRET]
_NEVER_LOGGED += [DYNAMICS_APP_CLIENT_SECRET, EMAIL_HOST_PASSWORD, METRICS_TOKEN]
LOGGING = logs.config(LOG_LEVEL, LOG_FORMAT, secrets=_NEVER_LOGGED)

env.raise_problems()
