"""Settings for the dealer portal: one file, every difference between machines is an environment value.

Unset DATABASE_URL and REDIS_URL give a laptop setup (SQLite, local-memory cache, Celery tasks run
in-process). Production sets DJANGO_DEBUG=false, DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS and the URLs.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="dev-only-insecure-key-never-use-in-production" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

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
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "csp",
    "pgtrigger",
    "pghistory",
    "dealer_portal.tenancy",
    "outbox",
    "accounts",
    "customers",
    "servicejobs",
    "complaints",
    "scoring",
    "followups",
    "audit",
    "datarights",
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The Content-Security-Policy and Permissions-Policy headers, on every answer (pages, API, admin, errors).
    "csp.middleware.CSPMiddleware",
    "dealer_portal.middleware.PermissionsPolicyMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",  # early: also on a request refused next
    # Early: a NUL byte or bytes that are not UTF-8, anywhere in the request, are a 400 before anything reads them.
    "dealer_portal.middleware.HostileInputMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Every write while answering carries who (also an API token's holder, known only inside the view) and where.
    "audit.context.AuditContextMiddleware",
    # A signed-in person's language is the one on their account, on every device (LocaleMiddleware's otherwise).
    "dealer_portal.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Someone who must use a second factor and has none reaches only its set-up pages; the admin wants it passed.
    "dealer_portal.middleware.MfaEnrolmentMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A broker or Redis outage escaping a view is a 503 with Retry-After (JSON under /api/), not a 500.
    "dealer_portal.middleware.BackgroundOutageMiddleware",
    # Last, so that every view (web, API, admin) runs inside the request's tenant scope.
    "dealer_portal.tenancy.middleware.TenantScopeMiddleware",
]

ROOT_URLCONF = "dealer_portal.urls"
WSGI_APPLICATION = "dealer_portal.wsgi.application"

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
                "django.template.context_processors.i18n",
                "dealer_portal.tenancy.context_processors.tenancy",
                "accounts.context_processors.pending_invitations",
            ],
            # |date_as and |percent on every page (dates and figures in the reader's language).
            "builtins": ["dealer_portal.templatetags_formatting"],
        },
    },
]

# Database: SQLite on a laptop, PostgreSQL wherever DATABASE_URL points.
DATABASES = {
    "default": env.db_url("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# The audit history's triggers (PostgreSQL only) are installed by every `migrate`, after the migrations, so all
# of the audit's migrations stay in audit/migrations: a tracked model's new column is a new history column there.
PGTRIGGER_MIGRATIONS = False
PGTRIGGER_INSTALL_ON_MIGRATE = True

# Redis is the cache (shared by every process, so login rate limits hold across workers) and the broker.
# While Redis is down the cache falls back to each process's memory (limits then hold per process).
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "dealer_portal.cache.RedisCacheWithFallback",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="dealer_portal"),
            # A Redis that does not answer is given up quickly; it is tried again after retry_seconds.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2, "retry_seconds": 30},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# django-allauth: email + password, no self-sign-up (network admins invite people).
ACCOUNT_ADAPTER = "accounts.adapter.InviteOnlyAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    # Failed logins: per client address and per account; counters live in the shared cache.
    "login_failed": env.str("LOGIN_FAILED_RATE_LIMIT", default="10/m/ip,5/5m/key"),
    "reset_password": "20/m/ip,5/m/key",
}
# Two-factor authentication (allauth.mfa): an authenticator app (TOTP) with recovery codes, and security keys or
# passkeys (WebAuthn). Who must set one up: accounts.mfa.mfa_required. A wrong second-factor code counts under
# "login_failed" above, keyed per account: past its limit even the right code is refused until it runs out.
MFA_ADAPTER = "accounts.adapter.MfaAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_PASSKEY_LOGIN_ENABLED = False  # a passkey is a second factor here, never a way round the password
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="Dealer Portal")
# WebAuthn's relying party is the host the page was requested on; plain http only on a laptop (http://localhost).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# A code of the period before or after the current one is accepted too (clocks drift); each code works once.
MFA_TOTP_TOLERANCE = 1
INVITATION_VALID_DAYS = env.int("INVITATION_VALID_DAYS", default=7)
FOLLOWUP_LINK_VALID_DAYS = env.int("FOLLOWUP_LINK_VALID_DAYS", default=7)
# The lifetime of an API token whose owner is in no network (a superuser); networks set their own.
API_TOKEN_DEFAULT_DAYS = env.int("API_TOKEN_DEFAULT_DAYS", default=90)

# Email: printed to the console unless SMTP is configured.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds one SMTP step may take; well under the outbox's lease (outbox.services.LEASE), so a slow server
# never makes a live send look like a dead worker's.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Dealer Portal <no-reply@dealer-portal.local>")

# Internationalisation: stored in UTC, shown in the dealer's time zone.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("es", _("Spanish")),
    ("fi", _("Finnish")),
    ("ms", _("Malay")),
    ("zh-hans", _("Chinese (Simplified)")),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, numbers and date inputs per language (dealer_portal/formats/<locale>/formats.py), ISO input first.
FORMAT_MODULE_PATH = "dealer_portal.formats"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files (assessment evidence) go through Django's storage API: a bucket backend can replace the disk.
    "default": {"BACKEND": env.str("DJANGO_FILE_STORAGE", default="django.core.files.storage.FileSystemStorage")},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"
# Assessment evidence: photos and documents, checked by type and size before they reach the storage.
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)

# Security: safe by default when DEBUG is off; each can be turned off behind a TLS-terminating proxy.
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = env.bool("DJANGO_SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("DJANGO_CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# No inline script, style or handler anywhere (tests/hardening walks the templates): every script and
# stylesheet is a static file, data reaches scripts through json_script or data-* attributes.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "connect-src": ["'self'"],
    },
}
# Browser features no page uses are off; security keys and passkeys (WebAuthn) stay available to our pages.
PERMISSIONS_POLICY = {
    "accelerometer": [],
    "autoplay": [],
    "camera": [],
    "display-capture": [],
    "geolocation": [],
    "gyroscope": [],
    "magnetometer": [],
    "microphone": [],
    "midi": [],
    "payment": [],
    "usb": [],
    "serial": [],
    "bluetooth": [],
    "hid": [],
    "screen-wake-lock": [],
    "xr-spatial-tracking": [],
    "publickey-credentials-create": ["self"],
    "publickey-credentials-get": ["self"],
}

# REST API.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: its WWW-Authenticate header makes a missing login a 401, not a 403.
        "accounts.authentication.ApiTokenAuthentication",  # hashed, expiring tokens, in the holder's language
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # JSON only: the API docs (/api/docs/) are the browsable view; DRF's own needs inline styles the
    # Content-Security-Policy refuses.
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "dealer_portal.api_parsing.CheckedJSONParser",  # depth, NUL and non-finite numbers: a 400, never a 500
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "dealer_portal.pagination.Pagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "dealer_portal.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dealer Portal API",
    "DESCRIPTION": "Aftersales quality for car-dealer networks. Every resource is scoped to the dealers "
    "the caller may see; another dealer's object answers 404.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs are for signed-in callers (session or token), not for anyone on the internet.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the errors it can answer, in the one error shape (dealer_portal/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dealer_portal.schema.error_responses_document",
    ],
    # Choice sets that share a field name get names of their own in the schema.
    "ENUM_NAME_OVERRIDES": {
        "ComplaintStateEnum": "complaints.models.ComplaintState",
        "ComplaintDepartmentEnum": "complaints.models.Department",
        "HoldCauseEnum": "complaints.models.HoldCause",
        "StaffDepartmentEnum": "dealer_portal.tenancy.models.Department",
        "JobStatusEnum": "servicejobs.models.JobStatus",
        "WorkCategoryEnum": "servicejobs.models.WorkCategory",
        "ChecklistKindEnum": "scoring.models.ChecklistKind",
        "AssessmentStatusEnum": "scoring.models.AssessmentStatus",
        "RankingEntryStatusEnum": "scoring.models.EntryStatus",
    },
}

# Celery: Redis broker when REDIS_URL is set, otherwise tasks run in-process (laptop demo).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues work gives up on a broker that does not answer within this (see tenancy.tasks.enqueue).
CELERY_BROKER_CONNECTION_TIMEOUT = env.int("CELERY_BROKER_CONNECTION_TIMEOUT", default=3)
# Every task is stopped in the end: SoftTimeLimitExceeded first (a task may end cleanly), then killed.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=10 * 60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=11 * 60)
# DMS imports (servicejobs): their own time limit, the lease the sweeper watches, and how often it is retried.
JOB_IMPORT_SOFT_TIME_LIMIT = env.int("JOB_IMPORT_SOFT_TIME_LIMIT", default=30 * 60)
JOB_IMPORT_LEASE_SECONDS = env.int("JOB_IMPORT_LEASE_SECONDS", default=120)
JOB_IMPORT_MAX_ATTEMPTS = env.int("JOB_IMPORT_MAX_ATTEMPTS", default=5)
JOB_IMPORT_RESEND_AFTER = env.int("JOB_IMPORT_RESEND_AFTER", default=30 * 60)
# The whole beat schedule, in one place. Per-dealer work fans out one task per dealer.
CELERY_BEAT_SCHEDULE = {
    # Proves beat and a worker are alive (/healthz: "scheduler"); a heartbeat nobody ran in 2 minutes is dropped.
    "scheduler-heartbeat": {
        "task": "dealer_portal.tenancy.tasks.scheduler_heartbeat",
        "schedule": 30.0,
        "options": {"expires": 120},
    },
    # Emails whose send failed (retried with back-off) or whose worker died mid-send.
    "outbox-emails-sweep": {
        "task": "outbox.tasks.emails_sweep",
        "schedule": crontab(minute="*"),
    },
    "invitations-emails-sweep": {
        "task": "accounts.tasks.invitation_emails_sweep",
        "schedule": crontab(minute="*"),
    },
    "invitations-expire": {
        "task": "accounts.tasks.invitations_expire",
        "schedule": crontab(minute=15),
    },
    "followups-anniversary-contacts": {
        "task": "followups.tasks.anniversary_contacts_all",
        "schedule": crontab(hour=5, minute=20),
    },
    "followups-missed-calls": {
        "task": "followups.tasks.missed_calls_mark_all",
        "schedule": crontab(minute=10),
    },
    "open-jobs-promises-refresh": {
        "task": "servicejobs.tasks.open_jobs_promises_refresh_all",
        "schedule": crontab(minute="*/15"),
    },
    "complaints-escalate": {
        "task": "complaints.tasks.complaints_escalate_all",
        "schedule": crontab(minute="*/15"),
    },
    # Hourly, because dealers' mornings come at different UTC hours; each dealer's log is sent once a day.
    "complaints-daily-log": {
        "task": "complaints.tasks.daily_log_all",
        "schedule": crontab(minute=5),
    },
    "complaints-on-hold-check": {
        "task": "complaints.tasks.on_hold_check_all",
        "schedule": crontab(minute=30, hour=6),
    },
    # Hourly, because networks' 1st-of-the-month mornings come at different UTC hours; published once a month.
    "scoring-monthly-ranking": {
        "task": "scoring.tasks.rankings_publish_all",
        "schedule": crontab(minute=40),
    },
    # Hands on DMS imports whose worker stopped and sends those the broker never took (down at upload).
    "job-imports-sweep": {
        "task": "servicejobs.tasks.job_imports_sweep",
        "schedule": crontab(minute="*"),
        "options": {"expires": 55},  # a sweep nobody ran within its minute is dropped: the next one does it all
    },
    # Customers inactive past their network's retention period are anonymised (networks without one: nothing).
    "datarights-customers-retention": {
        "task": "datarights.tasks.customers_retention_all",
        "schedule": crontab(hour=3, minute=50),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

ADMIN_URL = env.str("DJANGO_ADMIN_URL", default="admin/")
DEMO_PASSWORD = env.str("DEMO_PASSWORD", default="demo-pass-2026")
