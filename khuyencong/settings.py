"""Settings for the khuyến công tracker, read from the environment.

Without DATABASE_URL the app runs on a local SQLite file, so `make run` needs no set-up.
Production sets DATABASE_URL=postgres://…, SECRET_KEY and DEBUG=False.
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.core.management.utils import get_random_secret_key
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes", "on"):
        return True
    if value.lower() in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: use True or False")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"Unexpected value {name}={value!r}: use a whole number") from None


def env_day_month(name: str, default: str) -> tuple[int, int]:
    """A day and month written dd/mm (a deadline that comes back each year), as (day, month)."""
    value = os.environ.get(name, default)
    try:
        day, month = (int(part) for part in value.split("/"))
        datetime.date(2024, month, day)  # a leap year: 29/02 is a day
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a day and month written dd/mm, not {value!r}") from exc
    return day, month


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Off unless asked for (`make run` asks): the debug page would show the settings, DATABASE_URL included.
DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
# Without a SECRET_KEY and with DEBUG off, management commands (migrate, check) still run with a
# throw-away key, but the app refuses to serve (khuyencong/wsgi.py, asgi.py): sessions signed with
# a key that changes on every start would log everyone out, and a known key would be worse.
SECRET_KEY_MISSING = not SECRET_KEY and not DEBUG
if not SECRET_KEY:
    SECRET_KEY = get_random_secret_key() if not DEBUG else "insecure-development-key-do-not-use-in-production"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # First, so that our catalogue's wording wins where it overlaps Django's ("History" is "Lịch sử").
    "programmes",
    "khuyencong.apps.RegisterAdminConfig",  # django.contrib.admin with our start page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "simple_history",
    "rest_framework",
    "rest_framework.authtoken",  # one token per user, revocable in the admin
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reports",
    "import_export",
    "programmes.imports",  # label "imports": tables, permissions, URL names as before
    "programmes.jobs",  # label "jobs": long work run by a worker (django-tasks)
    "django_tasks",
    "django_tasks_db",
    "axes",  # lockout after failed logins
    "django_otp",  # the second factor: TOTP apps, recovery codes
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
]

MIDDLEWARE = [
    # First: REMOTE_ADDR becomes the client's address behind the trusted proxies, for everything after.
    "khuyencong.middleware.ClientAddressMiddleware",
    # One log line per request with its id, user and duration; the id on every line written meanwhile.
    "khuyencong.log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files from the app itself, compressed and cached for a year by their hashed names.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # The Content-Security-Policy header (CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    # A NUL byte in a query string or form is junk that PostgreSQL cannot store: answer 400.
    "khuyencong.middleware.RefuseJunkRequestsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Vietnamese whatever the browser's language; the switch (a cookie) chooses English.
    "khuyencong.middleware.VietnameseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After authentication, before the session is saved: renews an active session's idle limit.
    "khuyencong.middleware.IdleSessionMiddleware",
    # request.user.is_verified(): signed in with the second factor too (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # A user who owes the second factor reaches only the pages that ask for it (khuyencong.accounts).
    "khuyencong.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Records request.user as the author of every history row written during a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: answers a locked-out login with its page.
    "axes.middleware.AxesMiddleware",
]

# Passwords through django-axes first: a username or address locked out is refused before its password
# is checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
# Lockout (django-axes): after this many failed logins for a username, or from one address, that
# username or address is refused for the cool-off time; an administrator can unlock it sooner (the users
# list, "Unlock sign-in"). A right login from an address clears that address's count (an office behind
# one address is not locked out by its officers' typos).
AXES_FAILURE_LIMIT = env_int("KHUYENCONG_LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = datetime.timedelta(minutes=env_int("KHUYENCONG_LOGIN_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "khuyencong.accounts.views.locked_out"
# The address as khuyencong.middleware.ClientAddressMiddleware left it (behind the trusted proxies).
AXES_CLIENT_IP_CALLABLE = "khuyencong.accounts.client_address"
AXES_ENABLE_ADMIN = False  # unlocking goes through the users list (khuyencong.accounts.services)
AXES_VERBOSE = False
# The second factor (django-otp) is required of Ministry reviewers and administrators (False only for
# a demonstration); anyone else may turn it on for themselves.
KHUYENCONG_OTP_REQUIRED = env_bool("KHUYENCONG_OTP_REQUIRED", True)
OTP_TOTP_ISSUER = os.environ.get("KHUYENCONG_OTP_ISSUER", "Khuyến công")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

ROOT_URLCONF = "khuyencong.urls"
WSGI_APPLICATION = "khuyencong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The project's own pages, and the site's composition (khuyencong/sites.py: the start page).
        "DIRS": [BASE_DIR / "templates", BASE_DIR / "khuyencong" / "templates"],
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

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # Keep connections between requests (a new PostgreSQL connection per request halved the
        # throughput); a health check drops one the server has closed.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and not env_bool("POSTGRES_JIT", False):
    # The figures' grouped queries run in tens of milliseconds; PostgreSQL's JIT compiles them for
    # longer than they run (40 ms of a 220 ms query, measured on the national dataset).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A second connection to the same database: a job's progress is written through it while the
    # job's own transaction is still open (programmes.jobs.progress). Tests mirror it onto default.
    DATABASES["jobs"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
# A PostgreSQL read replica for the read-heavy work (programmes.replica): reports, the status pages,
# the API and the exports read it; writes, sessions, users and jobs stay on the primary.
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=env_int("CONN_MAX_AGE", 60), conn_health_checks=True
    )
    if not env_bool("POSTGRES_JIT", False):
        DATABASES["replica"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
KHUYENCONG_READ_REPLICA = "replica" in DATABASES
DATABASE_ROUTERS = ["programmes.replica.ReplicaRouter"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a write lock instead of failing at once when two requests write together.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
USE_I18N = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_TZ = True
# Vietnamese dates as dd/mm/yyyy (Django's own vi formats use d-m-Y).
FORMAT_MODULE_PATH = ["khuyencong.formats"]
# The catalogue of the site's composition (khuyencong/: the start page); the apps keep their own.
LOCALE_PATHS = [
    # Corrections to the Vietnamese of Django and the libraries, kept by hand: listed first, so they win.
    BASE_DIR / "khuyencong" / "locale_django",
    BASE_DIR / "khuyencong" / "locale",
]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
# In production (`manage.py collectstatic` at deployment) WhiteNoise serves the files under hashed,
# compressed names cached for a year; with DEBUG it serves them from the apps as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploaded and generated files (attachments, job results) on this machine's disk, or in an
# S3-compatible bucket every app server shares (django-storages) when KHUYENCONG_S3_BUCKET is set.
if os.environ.get("KHUYENCONG_S3_BUCKET"):
    _S3 = {
        "bucket_name": os.environ["KHUYENCONG_S3_BUCKET"],
        "endpoint_url": os.environ.get("KHUYENCONG_S3_ENDPOINT_URL") or None,  # MinIO, Viettel/VNPT object storage
        "region_name": os.environ.get("KHUYENCONG_S3_REGION") or None,
        "access_key": os.environ.get("KHUYENCONG_S3_ACCESS_KEY") or None,
        "secret_key": os.environ.get("KHUYENCONG_S3_SECRET_KEY") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "file_overwrite": False,
    }
    STORAGES["default"] = {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": {**_S3, "location": "tep-tao-ra"}}
    STORAGES["attachments"] = {"BACKEND": "programmes.storage_s3.AttachmentS3Storage", "OPTIONS": _S3}
else:
    STORAGES["attachments"] = {"BACKEND": "programmes.storage.AttachmentStorage"}
# Without collectstatic (development, tests) WhiteNoise finds the files in the apps, as runserver does.
WHITENOISE_USE_FINDERS = WHITENOISE_AUTOREFRESH = DEBUG or not STATIC_ROOT.is_dir()
# Uploaded attachments live here; they are served only by the scoped view (programmes.views).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Attachments are decisions, contracts and minutes: scans, PDFs, office files.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5000

LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
# No page's script reads either cookie.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
# A session ends with the browser, and after this many hours without a request (a working day;
# khuyencong.middleware.IdleSessionMiddleware renews it while the user works).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = env_int("KHUYENCONG_SESSION_IDLE_HOURS", 8) * 3600

# Serving (README, "Putting it online"). HTTPS everywhere: HTTP is redirected (except /health/, which
# the proxy and the monitoring ask over plain HTTP on the machine), and browsers are told to remember it.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# The proxies in front of the app (nginx on the same machine: 127.0.0.1), as addresses or networks.
# Only behind them are X-Forwarded-For (the client's address) and X-Forwarded-Proto (HTTPS) believed.
KHUYENCONG_TRUSTED_PROXIES = env_list("KHUYENCONG_TRUSTED_PROXIES", "")
if KHUYENCONG_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content-Security-Policy (django-csp): scripts, styles, fonts and images from this site only, no inline
# script, no eval, no framing, forms posted only here. Style attributes are allowed (Django's admin and
# django-import-export write a few; they cannot run code); <style> elements are not.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-elem": [SELF],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# django-simple-history: keep the diff of each change visible in the admin history page.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_REVERT_DISABLED = True

# Before acceptance (nghiệm thu) advances may not exceed this share of the KC support
# (TTLT 26/2014 Điều 8.2b; a province may set another rate).
KHUYENCONG_ADVANCE_CAP_PERCENT = env_int("KHUYENCONG_ADVANCE_CAP_PERCENT", 70)

# Lag rules (programmes/lags.py): a đề án with no payment this many months after its approval
# lags; accepted đề án are settled by this day and month of the next year (KCQG: 22/01, domain.md
# §4; KCĐP: the province's rule, unconfirmed, the same by default).
KHUYENCONG_LAG_NO_PAYMENT_MONTHS = env_int("KHUYENCONG_LAG_NO_PAYMENT_MONTHS", 3)
KHUYENCONG_SETTLEMENT_DEADLINE = {
    "kcqg": env_day_month("KHUYENCONG_SETTLEMENT_DEADLINE_KCQG", "22/01"),
    "kcdp": env_day_month("KHUYENCONG_SETTLEMENT_DEADLINE_KCDP", "22/01"),
}

# Business dates (decisions, payments, lifecycle steps) must lie within these years.
KHUYENCONG_DATE_MIN = datetime.date(env_int("KHUYENCONG_DATE_MIN_YEAR", 2000), 1, 1)
KHUYENCONG_DATE_MAX = datetime.date(env_int("KHUYENCONG_DATE_MAX_YEAR", 2100), 12, 31)
if KHUYENCONG_DATE_MIN > KHUYENCONG_DATE_MAX:
    raise ImproperlyConfigured("KHUYENCONG_DATE_MIN_YEAR must not be after KHUYENCONG_DATE_MAX_YEAR")

# Attachments (scanned decisions, contracts, minutes): at most this size.
# Lists count at most this many rows: past it they say "more than …", page no further, and show
# their totals once narrowed (programmes.lists).
KHUYENCONG_LIST_COUNT_LIMIT = env_int("KHUYENCONG_LIST_COUNT_LIMIT", 10_000)
KHUYENCONG_ATTACHMENT_MAX_BYTES = env_int("KHUYENCONG_ATTACHMENT_MAX_MB", 20) * 1024 * 1024
# Imports (imports app): a file over these limits is refused before it is read.
KHUYENCONG_IMPORT_MAX_BYTES = env_int("KHUYENCONG_IMPORT_MAX_MB", 10) * 1024 * 1024
KHUYENCONG_IMPORT_MAX_UNPACKED_BYTES = env_int("KHUYENCONG_IMPORT_MAX_UNPACKED_MB", 200) * 1024 * 1024
KHUYENCONG_IMPORT_MAX_ROWS = env_int("KHUYENCONG_IMPORT_MAX_ROWS", 20_000)

# Background jobs (programmes.jobs on django-tasks). The queue: "database" (the default: the
# django-tasks-db backend, one table in the app's own database, `manage.py db_worker` runs it; SQLite
# or PostgreSQL) or "rq" (django-tasks-rq on Redis at REDIS_URL; on any machine:
# `manage.py rqworker default --job-class django_tasks_rq.Job`).
KHUYENCONG_TASKS = os.environ.get("KHUYENCONG_TASKS", "database")
if KHUYENCONG_TASKS == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
elif KHUYENCONG_TASKS == "rq":
    INSTALLED_APPS.append("django_rq")
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    RQ_QUEUES = {"default": {"URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"), "DEFAULT_TIMEOUT": 3600}}
else:
    raise ImproperlyConfigured("KHUYENCONG_TASKS must be 'database' or 'rq'")
# Past these sizes the work runs as a job instead of inside the request: a list export's rows, the
# rows of an import file (checking, then importing), a province report's đề án (a region's or the
# nation's report is always a job).
KHUYENCONG_JOB_EXPORT_ROWS = env_int("KHUYENCONG_JOB_EXPORT_ROWS", 5_000)
KHUYENCONG_JOB_IMPORT_ROWS = env_int("KHUYENCONG_JOB_IMPORT_ROWS", 2_000)
KHUYENCONG_JOB_REPORT_ROWS = env_int("KHUYENCONG_JOB_REPORT_ROWS", 150)
# A job's result file is kept this long, then deleted (`manage.py expire_jobs`, or the worker's own sweep).
KHUYENCONG_JOB_RESULT_HOURS = env_int("KHUYENCONG_JOB_RESULT_HOURS", 24)
# A job still running after this long was left by a worker that stopped: it is marked failed.
KHUYENCONG_JOB_MAX_MINUTES = env_int("KHUYENCONG_JOB_MAX_MINUTES", 120)
# /health/ fails (503) when a job has waited longer than this for a worker (or, on RQ, when no worker's
# heartbeat is this recent).
KHUYENCONG_HEALTH_QUEUE_MINUTES = env_int("KHUYENCONG_HEALTH_QUEUE_MINUTES", 10)
# The Ministry's reporting cut-off (report-layout.md §1a): a 6-month report runs from 15/12 of the
# year before to 14/06, an annual one to 14/12. Unconfirmed for khuyến công, hence settings.
KHUYENCONG_REPORT_CUTOFF_DAY = env_int("KHUYENCONG_REPORT_CUTOFF_DAY", 15)
KHUYENCONG_REPORT_CUTOFF_MONTHS = (6, 12)
# When each periodic report is due at the Ministry (day/month; the annual one in January of the next
# year). Unconfirmed for khuyến công, hence settings: a report issued after its day is late.
KHUYENCONG_REPORT_DUE = {
    "h1": env_day_month("KHUYENCONG_REPORT_DUE_H1", "15/07"),
    "m9": env_day_month("KHUYENCONG_REPORT_DUE_M9", "15/10"),
    "year": env_day_month("KHUYENCONG_REPORT_DUE_YEAR", "15/01"),
}
# Reminders (manage.py send_reminders): managers are told this many days before a report is due,
# by e-mail (Django's EMAIL_* settings; printed on the console unless EMAIL_BACKEND says otherwise),
# with links to this address.
KHUYENCONG_REMINDER_DAYS_BEFORE = env_int("KHUYENCONG_REMINDER_DAYS_BEFORE", 7)
KHUYENCONG_SITE_URL = os.environ.get("KHUYENCONG_SITE_URL", "http://127.0.0.1:8000")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "khuyencong@localhost")
# The fonts the PDF reports embed (Liberation Serif, metric-compatible with Times New Roman).
KHUYENCONG_REPORT_FONT_DIR = BASE_DIR / "reports" / "fonts"
# Who issues a region's or the nation's report (reports.document.issuer_of): the Ministry's
# department for khuyến công since 2025, and its part of the number's symbol (…/BC-ĐMST).
KHUYENCONG_MINISTRY = os.environ.get("KHUYENCONG_MINISTRY", "Bộ Công Thương")
KHUYENCONG_MINISTRY_DEPARTMENT = os.environ.get(
    "KHUYENCONG_MINISTRY_DEPARTMENT", "Cục Đổi mới sáng tạo, Chuyển đổi xanh và Khuyến công"
)
KHUYENCONG_MINISTRY_DEPARTMENT_SYMBOL = os.environ.get("KHUYENCONG_MINISTRY_DEPARTMENT_SYMBOL", "ĐMST")

# Digital signatures on issued reports (reports.signing). The keys live outside the database: the
# signer's (ô 7c) and, optionally, the organisation's seal (ô 8), each a PKCS#12 file by path or a
# PKCS#11 token (USB or HSM) by module path, token label and key label, with the passphrase or PIN
# from the environment. Images: the signer's signature (blue) and the seal (red), PNG, optional.
# Trust roots: the CA certificates (PEM or DER paths) an uploaded signature must chain to.
KHUYENCONG_SIGNING = {
    role: {
        "pkcs12": os.environ.get(f"KC_{prefix}_PKCS12", ""),
        "passphrase": os.environ.get(f"KC_{prefix}_PASSPHRASE", ""),
        "pkcs11_module": os.environ.get(f"KC_{prefix}_PKCS11_MODULE", ""),
        "pkcs11_token": os.environ.get(f"KC_{prefix}_PKCS11_TOKEN", ""),
        "pkcs11_key": os.environ.get(f"KC_{prefix}_PKCS11_KEY", ""),
        "pkcs11_pin": os.environ.get(f"KC_{prefix}_PKCS11_PIN", ""),
        "image": os.environ.get(f"KC_{prefix}_IMAGE", ""),
    }
    for role, prefix in (("signer", "SIGN"), ("seal", "SEAL"))
}
KHUYENCONG_SIGNING_TRUST_ROOTS = env_list("KC_SIGN_TRUST_ROOTS", "")
KHUYENCONG_SIGNED_PDF_MAX_BYTES = env_int("KHUYENCONG_SIGNED_PDF_MAX_BYTES", 50_000_000)

# manage.py backup keeps this many archives in its folder (the newest; 0 keeps all).
KHUYENCONG_BACKUP_KEEP = env_int("KHUYENCONG_BACKUP_KEEP", 14)
# The database role the app is served as (programmes.audit): when set, every migrate, run as the
# tables' owner, grants it again what it needs (manage.py grant_serving_role does the same by hand).
KHUYENCONG_SERVING_ROLE = os.environ.get("KHUYENCONG_SERVING_ROLE", "")

# Figures many read at once (the national status page and its API) are kept per process until the
# database changes (reports.status.cached_while_unchanged; PostgreSQL only), at most this long.
KHUYENCONG_FIGURES_CACHE_SECONDS = env_int("KHUYENCONG_FIGURES_CACHE_SECONDS", 600)
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
    "figures": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "figures",
        "OPTIONS": {"MAX_ENTRIES": 200},
    },
}
# Refuse bigger request bodies before reading them (an attachment plus the form around it).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

if env_bool("FAST_PASSWORD_HASHER", False):
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Logs on standard output (systemd's journal keeps them): one JSON object per line (LOG_FORMAT=json, the
# default without DEBUG) with the time, level, logger, message, and the request's id, user and address;
# each request adds a line of its own with method, path, status and duration_ms (khuyencong.log).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line_forbidden": {"()": "khuyencong.log.OneLineForbidden"},
        "request_context": {"()": "khuyencong.log.RequestContext"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(user)s %(address)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s %(user)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # A 403 is one line without a traceback (khuyencong.log).
        "django.request": {"filters": ["one_line_forbidden"]},
        # Every request, and every sign-in event (lockouts, second factor), whatever LOG_LEVEL says.
        "khuyencong.request": {"level": os.environ.get("LOG_REQUESTS_LEVEL", "INFO")},
        "khuyencong.security": {"level": "INFO"},
    },
}

# The covering indexes (INCLUDE) that let PostgreSQL read list totals from the index alone are
# plain indexes on SQLite, the zero-set-up database, which is fine there.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
if not SECURE_HSTS_PRELOAD:
    # Preloading is a promise about the whole domain to every browser maker, the province's to make
    # (SECURE_HSTS_PRELOAD=True once its domain is submitted), not a default of this app.
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# The read-only JSON API (reports/api): token per user (or the browser's session), the user's read
# scope, an OpenAPI schema and its documentation served from this server.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["reports.api.permissions.HasRole"],
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Khuyến công API",
    "DESCRIPTION": "Read-only figures of the khuyến công register for the Ministry's and provinces' systems "
    "(LGSP/NDXP): each province's disbursement and reporting status, and a province's đề án with their payments. "
    "Money in whole đồng, dates YYYY-MM-DD. Authenticate with `Authorization: Token <key>`.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ReportState": ["not_started", "draft", "issued", "accepted", "returned"],
        "Region": ["bac", "trung", "nam"],
    },
}
