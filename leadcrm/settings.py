"""LeadCRM settings: one module, driven by the environment.

With nothing set, the app runs on the embedded default: a SQLite file under ``var/`` and Celery
over kombu's filesystem transport, so a newcomer needs no database or broker. ``DATABASE_URL``
and ``REDIS_URL`` switch to PostgreSQL and Redis (broker and cache).
"""

from pathlib import Path

import environ
from kombu import Queue

from core.logs import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("LEADCRM_VAR_DIR", default=str(BASE_DIR / "var")))

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    default="embedded-development-key-only-for-local-use-0123456789abcdefghijklmnopqrstuvwxyz",
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# The address people open the app at: links in emails and other messages read outside the app
# start with it. By default the address that scripts/run serves (HOST and PORT); a system check
# warns when production (DJANGO_DEBUG=false) leaves it unset.
SITE_URL = env.str(
    "SITE_URL",
    default=f"http://{env.str('HOST', default='127.0.0.1')}:{env.str('PORT', default='8000')}",
).rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "core",
    "emails",
    "leads",
    "sales",
    "webtolead",
    "conversion",
    "engagement",
    "scoring",
    "activities",
    "search",
    "campaigns",
    "consent",
    "listemail",
    "reports",
    "sla",
    "dashboards",
    "nurture",
    "dedupe",
    "users",
    "webhooks",
    "bulk",
    "demo",
]

MIDDLEWARE = [
    # First: every log line, task and answer of the request carries its id; the access log and
    # the request metrics see every answer, the probes' too.
    "core.request_id.RequestIdMiddleware",
    # /healthz and /readyz are answered before the host check and the HTTPS redirect.
    "core.health.ProbeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The browser's language (Accept-Language); a signed-in user's own choice replaces it below.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The signed-in user's language and time zone (core.models.UserPreferences).
    "core.locale.UserLocaleMiddleware",
    # After authentication: an API POST with an Idempotency-Key is answered once per user and key.
    "core.middleware.IdempotencyKeyMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "leadcrm.urls"

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
                "core.context_processors.roles",
                "leadcrm.navigation.navigation",
            ],
            "builtins": ["core.templatetags.crm"],
        },
    },
]

WSGI_APPLICATION = "leadcrm.wsgi.application"

# Database -----------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Web and worker share the file: WAL and a busy timeout avoid "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # SQLite has no deferrable unique constraints; PostgreSQL enforces them, and the services
    # reorder rows under a lock either way.
    SILENCED_SYSTEM_CHECKS = ["models.W038"]
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if env.str("TEST_DB_NAME", default=""):
    DATABASES["default"]["TEST"] = {"NAME": env.str("TEST_DB_NAME")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Broker and cache ---------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_DIR = VAR_DIR / "celery"
# After a failure of the cache or the broker, skip it for this many seconds instead of waiting on
# it in every request (core/breaker.py); the work is in the database and beat sweeps it up.
CIRCUIT_BREAKER_SECONDS = env.float("CIRCUIT_BREAKER_SECONDS", default=5.0)
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = None
    # Publishing tries the broker once (no reconnect loop in a request); the worker's own
    # reconnecting is CELERY_BROKER_CONNECTION_MAX_RETRIES below.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1.0, "socket_timeout": 3.0}
    CACHES = {
        "default": {
            # Redis's own timeouts are 5 s: a cache read must fail fast, and a failure skips Redis
            # for a few seconds (the cache then answers as an empty one).
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1.0},
        }
    }
else:
    # Embedded default: a broker made of folders, shared by the web process and the worker. The
    # URL names a host only so that kombu does not warn, on every connection, that it has none.
    CELERY_BROKER_URL = "filesystem://localhost/"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "control_folder": str(CELERY_DIR / "control"),
        "polling_interval": 0.1,
    }
    CELERY_RESULT_BACKEND = None
    for _folder in ("queue", "control"):
        (CELERY_DIR / _folder).mkdir(parents=True, exist_ok=True)
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A worker (and beat) waits out a broker outage: it reconnects forever, backing off from 2 s to
# 30 s between attempts, instead of exiting at the first lost connection.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# Publishing must not hang a request when the broker is down: a short connect timeout, one retry
# at once on a new connection (after Redis restarted, a pooled connection fails once although
# Redis is back), and the breaker above; rows stay queued for the sweeper.
CELERY_BROKER_CONNECTION_TIMEOUT = 1.0
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0, "interval_max": 0}
CELERY_TIMEZONE = "UTC"
# Queues by kind of work, so that a large import or a model's rescoring never delays an
# auto-response: public intake, emails, imports, scoring, and everything else. A worker started
# without -Q takes them all; production gives the bulk work (imports, scoring) workers of their own
# (docker-compose: worker-bulk).
CELERY_TASK_QUEUES = [Queue(name) for name in ("intake", "emails", "imports", "scoring", "default")]
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {
    "webtolead.*": {"queue": "intake"},
    "engagement.*": {"queue": "intake"},
    "emails.tasks.*": {"queue": "emails"},
    "leads.routing.assignment_notify": {"queue": "emails"},
    "leads.imports.*": {"queue": "imports"},
    # Bulk API jobs are bulk work too (their inserts, updates and upserts run as lead imports).
    "bulk.*": {"queue": "imports"},
    # Writing a list email's outbox rows is bulk work; the emails themselves go by the emails queue.
    "listemail.*": {"queue": "imports"},
    "scoring.*": {"queue": "scoring"},
    "nurture.*": {"queue": "emails"},
    # Webhook deliveries are outgoing messages, like emails.
    "webhooks.*": {"queue": "emails"},
}
CELERY_BEAT_SCHEDULE: dict = {}
# Re-publish outbox rows left queued (e.g. while the broker was down) and re-queue abandoned claims.
CELERY_BEAT_SCHEDULE["emails-sweep-outbox"] = {"task": "emails.tasks.sweep_outbox", "schedule": 60.0}
# Web-to-Lead: submissions left received (no broker when they came) or held by the daily limit
# become leads, oldest first.
CELERY_BEAT_SCHEDULE["webtolead-process-submissions"] = {"task": "webtolead.process_submissions", "schedule": 60.0}
# Tracking requests left received (no broker when they came) become engagement events.
CELERY_BEAT_SCHEDULE["engagement-process-tracking"] = {"task": "engagement.process_tracking", "schedule": 60.0}
# Behaviour points decay with time: stored scores that time alone changed are computed again.
CELERY_BEAT_SCHEDULE["scoring-apply-decay"] = {"task": "scoring.apply_decay", "schedule": 3600.0}
# Rows a lead import writes per transaction (each batch commits with the import's row offset).
LEAD_IMPORT_BATCH_SIZE = env.int("LEAD_IMPORT_BATCH_SIZE", default=1000)
# Lead imports left with pending rows (dead worker or broker) are queued again.
CELERY_BEAT_SCHEDULE["leads-requeue-stalled-imports"] = {
    "task": "leads.imports.requeue_stalled_imports",
    "schedule": 120.0,
}
# Bulk API jobs left closed but not taken (broker down) or quiet (a worker died) are handed over again.
CELERY_BEAT_SCHEDULE["bulk-sweep-jobs"] = {"task": "bulk.sweep_jobs", "schedule": 60.0}
# Largest CSV body one bulk API upload may send.
BULK_API_MAX_UPLOAD_BYTES = env.int("BULK_API_MAX_UPLOAD_BYTES", default=150 * 1024 * 1024)
# The uploaded files of lead imports that ended are removed after the undo window.
CELERY_BEAT_SCHEDULE["leads-purge-import-files"] = {"task": "leads.imports.purge_import_files", "schedule": 3600.0}
# Webhook deliveries left pending (broker down, a worker that died) are handed over again.
CELERY_BEAT_SCHEDULE["webhooks-sweep"] = {"task": "webhooks.sweep", "schedule": 60.0}
# Webhook endpoints must be public HTTPS hosts unless this allows plain HTTP and private or local
# addresses (a receiver on the same network; never on a server that can reach internal services).
WEBHOOKS_ALLOW_PRIVATE_NETWORKS = env.bool("WEBHOOKS_ALLOW_PRIVATE_NETWORKS", default=False)
WEBHOOK_TIMEOUT = env.int("WEBHOOK_TIMEOUT", default=10)
# The lead sync API answers a change once it is this old, so that a transaction committing late
# cannot put a change behind a cursor already handed out.
SYNC_SETTLE_SECONDS = env.int("SYNC_SETTLE_SECONDS", default=5)
# Deleted records older than RECYCLE_BIN_DAYS leave the Recycle Bin for good.
RECYCLE_BIN_DAYS = env.int("RECYCLE_BIN_DAYS", default=15)
CELERY_BEAT_SCHEDULE["core-purge-recycle-bin"] = {"task": "core.purge_recycle_bin", "schedule": 3600.0}
# Task reminders whose time has come go to the outbox (each task and reminder time once).
CELERY_BEAT_SCHEDULE["activities-send-task-reminders"] = {"task": "activities.send_task_reminders", "schedule": 60.0}
# SLA clocks past due are breached (notify, reassign or move, once per breach).
CELERY_BEAT_SCHEDULE["sla-sweep-breaches"] = {"task": "sla.sweep_breaches", "schedule": 60.0}
# Nurture sequences: due enrolments run (their emails go to the outbox), at most this many emails
# per minute from all workers together (0: no limit).
CELERY_BEAT_SCHEDULE["nurture-tick"] = {"task": "nurture.tick", "schedule": 30.0}
NURTURE_EMAILS_PER_MINUTE = env.int("NURTURE_EMAILS_PER_MINUTE", default=600)
# Leads created or changed since the last sweep reach the report rollups.
CELERY_BEAT_SCHEDULE["reports-sweep-rollups"] = {"task": "reports.sweep_rollups", "schedule": 60.0}
# Scheduled reports whose day or week has come are emailed (each schedule and period once).
CELERY_BEAT_SCHEDULE["reports-send-scheduled"] = {"task": "reports.send_scheduled_reports", "schedule": 300.0}
# Each queue's backlog of the day (the last snapshot of a day stays): the backlog over time report.
CELERY_BEAT_SCHEDULE["reports-snapshot-queue-backlog"] = {"task": "reports.snapshot_queue_backlog", "schedule": 3600.0}
# List emails whose background send stopped moving (a worker died) are started again.
CELERY_BEAT_SCHEDULE["listemail-sweep"] = {"task": "listemail.tasks.sweep_list_emails", "schedule": 60.0}
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# One beat publishes at a time (core/beat.py): a second one stands by and takes over this many
# seconds after the first stops ticking.
CELERY_BEAT_SCHEDULER = "core.beat:SingleBeatScheduler"
BEAT_LOCK_SECONDS = env.float("BEAT_LOCK_SECONDS", default=30.0)

# Auth -----------------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Failed logins per (account, address) and per address before each further failure makes that pair
# or address wait: LOGIN_THROTTLE_DELAY_SECONDS, doubling up to the maximum. Counts are forgotten a
# window after the latest failure; the account itself is never locked.
LOGIN_THROTTLE_ACCOUNT_LIMIT = env.int("LOGIN_THROTTLE_ACCOUNT_LIMIT", default=5)
LOGIN_THROTTLE_ADDRESS_LIMIT = env.int("LOGIN_THROTTLE_ADDRESS_LIMIT", default=20)
LOGIN_THROTTLE_WINDOW_SECONDS = env.int("LOGIN_THROTTLE_WINDOW_SECONDS", default=3600)
LOGIN_THROTTLE_DELAY_SECONDS = env.int("LOGIN_THROTTLE_DELAY_SECONDS", default=15)
LOGIN_THROTTLE_MAX_DELAY_SECONDS = env.int("LOGIN_THROTTLE_MAX_DELAY_SECONDS", default=900)
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated): the client
# address of throttles and rate limits is read through them (core.auth.client_address).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# Password reset emails asked for per client address and hour; more get the usual answer, no email.
PASSWORD_RESET_REQUESTS_PER_HOUR = env.int("PASSWORD_RESET_REQUESTS_PER_HOUR", default=5)

# I18N -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
# The languages of the app: a user's profile chooses one, else the browser's Accept-Language does
# (core.locale.UserLocaleMiddleware). The catalogs live in locale/ (scripts/check_translations).
LANGUAGES = [("en", "English"), ("es", "Español"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The user is read with its preferences in one query (the first backend is the one logins use;
# the second still reads sessions made before it).
AUTHENTICATION_BACKENDS = ["core.locale.PreferencesModelBackend", "django.contrib.auth.backends.ModelBackend"]
# The organisation's time zone: times are shown in it unless a user's profile sets another.
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True

# Static files ---------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Email ----------------------------------------------------------------------------------------
if env.str("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend")
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="LeadCRM <noreply@localhost>")
EMAIL_TIMEOUT = 10

# Forms and UI ---------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# REST API -------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.NoCountPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exceptions.api_exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "core.api.throttling.TokenRateThrottle",
        "core.api.throttling.SessionRateThrottle",
        "core.api.throttling.AnonymousRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "token": env.str("API_THROTTLE_TOKEN_RATE", default="600/min"),
        "user": env.str("API_THROTTLE_USER_RATE", default="600/min"),
        "anon": env.str("API_THROTTLE_ANON_RATE", default="60/min"),
    },
}
# API tokens expire this many days after they are made; an API POST's Idempotency-Key is
# remembered this many hours.
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=90)
IDEMPOTENCY_KEY_HOURS = env.int("IDEMPOTENCY_KEY_HOURS", default=24)
CELERY_BEAT_SCHEDULE["core-purge-expired-keys"] = {"task": "core.purge_expired_keys", "schedule": 3600.0}
SPECTACULAR_SETTINGS = {
    "TITLE": "LeadCRM API",
    "DESCRIPTION": "Read and write leads, picklists, queues and conversions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc served from our own static files: the docs page loads nothing from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Choice sets of fields that share a name ("action", "kind") across apps get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "ConsentActionEnum": "consent.models.ConsentRecord.Action",
        "NurtureStepKindEnum": "nurture.models.NurtureStep.Kind",
        "NurtureStepActionEnum": "nurture.models.NurtureStep.Action",
        # The three roles, offered by the users and the dashboards APIs.
        "RoleEnum": "core.roles.ROLE_CHOICES",
        "WebhookDeliveryStatusEnum": "webhooks.models.WebhookDelivery.Status",
        "BulkJobStateEnum": "bulk.models.JobState",
        "BulkJobStateChangeEnum": "bulk.models.STATE_CHANGES",
    },
}

# Security (production: DJANGO_DEBUG=false) ------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Prometheus scrapes over plain HTTP from inside the deployment (the probes are answered earlier).
SECURE_REDIRECT_EXEMPT = [r"^metrics$"]
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    CSRF_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: readable text by default, one JSON object per line with LOG_FORMAT=json (core/logs.py).
# The access log (one line per request, at INFO) is on in production and off under DEBUG, where the
# development server prints its own; ACCESS_LOG sets it either way.
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = logging_config(
    log_format=LOG_FORMAT,
    level=env.str("LOG_LEVEL", default="WARNING"),
    access_log=env.bool("ACCESS_LOG", default=not DEBUG),
)
# Celery workers keep this logging (and its format) instead of installing their own handler.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Metrics (/metrics, Prometheus text format): answered to "Authorization: Bearer <METRICS_TOKEN>"
# or to a client address in METRICS_ALLOWED_IPS (addresses or networks); with neither, to nobody.
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
# Set for gunicorn (gunicorn.conf.py) and the workers of one host: each process writes its metrics
# to files in this folder and /metrics adds them up (prometheus-client reads it from the environment).
PROMETHEUS_MULTIPROC_DIR = env.str("PROMETHEUS_MULTIPROC_DIR", default="")
# Gauges read at scrape time: the backlogs in the database and the worker and beat heartbeats.
METRICS_COLLECTORS = ["leadcrm.system_health.BacklogCollector"]
