"""Settings for zhucun, read from the environment only (see contracts.md).

DATABASE_URL  default sqlite:///var/zhucun.sqlite3 (WAL, immediate transactions)
REDIS_URL     broker and cache; unset means an embedded (filesystem) broker
SECRET_KEY (or SECRET_KEY_FILE; required when DEBUG is off), DEBUG, ALLOWED_HOSTS
"""

import datetime
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from zhucun.log_redaction import install_log_redaction

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("ZHUCUN_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


# Unset means a developer's checkout (tests, manage.py); `make run` and the
# containers set DEBUG=0.
DEBUG = env_bool("DEBUG", True)


def _secret_key() -> str:
    """SECRET_KEY, else the file SECRET_KEY_FILE names; the public key only with DEBUG."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    if os.environ.get("SECRET_KEY_FILE"):
        return Path(os.environ["SECRET_KEY_FILE"]).read_text(encoding="utf-8").strip()
    if DEBUG:
        return "django-insecure-zhucun-development-key-do-not-use-in-production"
    raise ImproperlyConfigured(
        "DEBUG=0 时必须设置 SECRET_KEY（或 SECRET_KEY_FILE）：不使用公开的开发密钥。"
        " / SECRET_KEY (or SECRET_KEY_FILE) is required when DEBUG is off: the"
        " public development key is never used."
    )


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
        ","
    )
    if h.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "import_export",
    "axes",
    "zhucun",
    "villages",
    "teams",
    "attendance",
    "assessments",
    "compliance",
    "funding",
    "dashboards",
    # After zhucun and the third-party apps: its admin restricts theirs.
    "accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Inside WhiteNoise, so static files keep their caching headers.
    "zhucun.security_headers.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "zhucun.audit.AuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhucun.urls"
WSGI_APPLICATION = "zhucun.wsgi.application"

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
                "attendance.context_processors.reminders",
                "zhucun.context_processors.user_identity",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASE_URL = (
    os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'zhucun.sqlite3'}"
)
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the Celery worker write at the same time;
    # IMMEDIATE takes the write lock at BEGIN so concurrent writers queue
    # instead of failing with "database is locked" half-way through.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": (
            "PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"
        ),
    }
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test.sqlite3")}
else:
    # PostgreSQL's JIT costs more than it saves on the rules engine's short
    # aggregate queries (full province: ~4.8 s with it, ~2.4 s without).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: broker and cache ---------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Databases that share one Redis (a test database beside the real
            # one, the benchmark's) keep their throttle counters and cached
            # pages apart.
            "KEY_PREFIX": f"zhucun:{DATABASES['default']['NAME']}",
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The embedded broker: kombu's filesystem transport, one folder under var/.
    CELERY_BROKER_URL = "filesystem://"
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _control_dir = VAR_DIR / "celery" / "control"
    for _dir in (_queue_dir, _processed_dir, _control_dir):
        _dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "store_processed": False,
        "control_folder": str(_control_dir),
    }
    CELERY_RESULT_BACKEND = None
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)

# --- Auth -----------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses locked-out credentials before any check of the password.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: lock a username from an address after repeated failures, on every
# way in (login page, admin, API token) since all of them call authenticate().
AXES_ENABLED = env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", 5))
AXES_COOLOFF_TIME = int(os.environ.get("AXES_COOLOFF_HOURS", 1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
# API tokens (zhucun/api_tokens.py) expire this many days after they are issued;
# contracts.md names the variable API_TOKEN_DAYS, accepted as well.
ZHUCUN_TOKEN_TTL_DAYS = int(
    os.environ.get("ZHUCUN_TOKEN_TTL_DAYS") or os.environ.get("API_TOKEN_DAYS") or 30
)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- Locale ---------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by the application itself: no CDN) -------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"

# --- REST API -------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # First, so that a missing, expired or revoked token answers 401 (with the
        # WWW-Authenticate challenge) rather than 403.
        "zhucun.api_tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "zhucun.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "zhucun.api_schema.ErrorDocumentingSchema",
    "EXCEPTION_HANDLER": "zhucun.api_errors.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("API_USER_RATE", "1200/min"),
        "anon": os.environ.get("API_ANON_RATE", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zhucun 驻村工作队管理系统 API",
    "DESCRIPTION": "四川省贫困村驻村工作队选派管理（川委办〔2018〕19号）的数据接口。",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema lists every endpoint and filter: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No online validator badge: it would send the intranet schema URL to the internet.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    "ENUM_NAME_OVERRIDES": {
        "AssessmentKindEnum": "assessments.models.Assessment.Kind",
        "ReminderKindEnum": "attendance.models.Reminder.Kind",
        "ImportJobStatusEnum": "zhucun.models.ImportJob.Status",
        "TargetItemStatusEnum": "assessments.models.TargetItem.Status",
    },
}

# --- Mail (reminders) ------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if os.environ.get("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", 25))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhucun@localhost")
ZHUCUN_SITE_URL = os.environ.get("ZHUCUN_SITE_URL", "http://127.0.0.1:8000")
# A township's month is on time when submitted by this day of the next month.
ZHUCUN_ATTENDANCE_DUE_DAY = int(os.environ.get("ZHUCUN_ATTENDANCE_DUE_DAY", 5))

# --- The system's "today" (zhucun/clock.py): unset = the real date --------
ZHUCUN_TODAY = (
    datetime.date.fromisoformat(os.environ["ZHUCUN_TODAY"])
    if os.environ.get("ZHUCUN_TODAY")
    else None
)

# --- Policy thresholds (川委办〔2018〕19号; a province changes a setting, not code)
ZHUCUN_RULES = {
    "TEAM_MIN_MEMBERS": int(os.environ.get("ZHUCUN_TEAM_MIN_MEMBERS", 3)),
    "LIANGSHAN_MIN_MEMBERS": int(os.environ.get("ZHUCUN_LIANGSHAN_MIN_MEMBERS", 4)),
    "LIANGSHAN_MAX_MEMBERS": int(os.environ.get("ZHUCUN_LIANGSHAN_MAX_MEMBERS", 7)),
    "TERM_YEARS": 2,
    "EXCELLENT_CAP_RATIO": "0.20",
    "TRAINING_DAYS_MIN": 5,
    "FUNDING_MIN_YUAN": "20000",
    "UNIT_QUOTA_BANDS": [(100, 4), (51, 2), (0, 1)],
    "PAIRING_QUOTA_RATIO": "0.30",
    "CAMPAIGN_END": "2020-12-31",
    "PROVINCIAL_FUNDING_HARDSHIP_CLASS": 3,
}

# --- Logging: never personal data (see zhucun/log_redaction.py)  ---------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
# Every log record of every process (web, worker, commands), whichever handler
# takes it, is created with IDs, phone numbers and secrets already masked.
install_log_redaction()

# --- Deployment hardening, on when DEBUG is off ---------------------------
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # Off only for `make run` on plain http://127.0.0.1 (the Makefile sets both).
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
# Every page (zhucun/security_headers.py): scripts only from files on this server,
# never inline. Styles allow 'unsafe-inline' because the stock admin
# (change_list.html), django-import-export (style="" attributes) and the Swagger
# UI page carry inline styles; zhucun's own templates have none (a test checks).
ZHUCUN_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Sessions end after this much inactivity (every request pushes the expiry on).
SESSION_COOKIE_AGE = 60 * int(os.environ.get("SESSION_IDLE_MINUTES", 30))
SESSION_SAVE_EVERY_REQUEST = True
