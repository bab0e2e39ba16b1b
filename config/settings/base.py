"""Every setting LPC 360 has, read from the environment.

With no environment at all this is the quick start: SQLite, Celery tasks run in
process, email printed to the console. Production (``config.settings.production``)
differs only in the variables it is given, and refuses to start when they are unsafe.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# A key that is fine for a laptop and never for a server: production refuses it.
INSECURE_DEFAULT_SECRET_KEY = "django-insecure-lpc360-quick-start-only"  # noqa: S105
SECRET_KEY = env("SECRET_KEY", default=INSECURE_DEFAULT_SECRET_KEY)
DEBUG = env.bool("DEBUG", default=True)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Links in emails are built from this, never from the request's Host header.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
SITE_NAME = "LPC 360"
# Who runs this deployment, and where people report a problem (accessibility statement,
# privacy notice, cookies page: config/pages.py).
SERVICE_OWNER = env("SERVICE_OWNER", default="the NHS organisation that runs your programme")
SUPPORT_EMAIL = env("SUPPORT_EMAIL", default="")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "nhsuk",
    "django_celery_beat",
    "axes",
    "accounts",
    "framework",
    "assessments",
    "reports",
    "development",
]

MIDDLEWARE = [
    "config.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "config.middleware.NotFoundPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.DatabaseUnavailableMiddleware",
    "accounts.backends.SignInThrottleMiddleware",
    # Turns a locked-out sign-in into the lockout page; last, as django-axes asks.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "config.context_processors.site",
            ],
            # {% url %} reversing through a per-process cache (config/url_cache.py).
            "builtins": ["config.url_cache"],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Refusals first, before any password is hashed: an address that has failed too often
# (accounts/backends.py), then a locked account at that address (django-axes).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.AddressThrottleBackend",
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24 * 3

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Every generated file (theme reports, released versions, cohort exports) is stored, read and
# deleted through the default storage: the local disk under MEDIA_ROOT, unless
# FILE_STORAGE_BACKEND names another, e.g. "storages.backends.s3.S3Storage" (django-storages)
# with FILE_STORAGE_OPTIONS, a JSON object, as its OPTIONS (docs/operations.md).
STORAGES = {
    "default": {
        "BACKEND": env(
            "FILE_STORAGE_BACKEND", default="django.core.files.storage.FileSystemStorage"
        ),
        "OPTIONS": env.json("FILE_STORAGE_OPTIONS", default={}),
    },
    # Django's StaticFilesStorage with its URLs remembered (config/static_storage.py).
    "staticfiles": {"BACKEND": "config.static_storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = ("nhsuk",)
CRISPY_TEMPLATE_PACK = "nhsuk"

# Email: printed to the console unless EMAIL_URL says otherwise (smtp://user:pass@host:587).
if env("EMAIL_URL", default=""):
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="LPC 360 <no-reply@lpc360.localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# EMAIL_DELIVERY=notify sends the outbox through GOV.UK Notify instead (accounts.notify,
# docs/operations.md): NOTIFY_TEMPLATE_IDS="rater_invitation=<uuid>,rater_reminder=<uuid>,..."
EMAIL_DELIVERY = env("EMAIL_DELIVERY", default="smtp")
if EMAIL_DELIVERY not in ("smtp", "notify"):
    raise ImproperlyConfigured("EMAIL_DELIVERY must be 'smtp' or 'notify'.")
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
NOTIFY_TEMPLATE_IDS = env.dict("NOTIFY_TEMPLATE_IDS", default={})
NOTIFY_TIMEOUT = env.int("NOTIFY_TIMEOUT", default=10)
if EMAIL_DELIVERY == "notify" and not NOTIFY_API_KEY:
    raise ImproperlyConfigured("EMAIL_DELIVERY=notify needs NOTIFY_API_KEY.")

# Redis serves as Celery broker and cache when it is configured.
REDIS_URL = env("REDIS_URL", default="")
CACHES = {
    "default": (
        {"BACKEND": "config.cache.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery. With no broker configured, tasks run in process (the quick start); Celery still
# takes a producer from the broker's pool, so point it at kombu's in-memory transport rather
# than an empty URL (which makes kombu warn that it falls back to localhost).
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not CELERY_BROKER_URL)
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Both limits stay well under Redis' visibility timeout, so a task is never redelivered
# while it is still running.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=180)
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "socket_connect_timeout": 1}
# A web request that sends a task waits at most this long for a broker that does not answer
# (config.celery.tasks_enqueue: no retries, then a pause before trying again).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}}
# Periodic work is declared in one place, config/schedules.py.
from config.schedules import BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE
# Emails: how many times the outbox tries one before marking it failed.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=5)

# Sessions are read from Redis and kept in the database when Redis is configured
# (config/sessions.py), in the database alone otherwise.
SESSION_ENGINE = "config.sessions" if REDIS_URL else "django.contrib.sessions.backends.db"
SESSION_CACHE_SECONDS = env.int("SESSION_CACHE_SECONDS", default=300)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Link and password-reset tokens are taken out of every line (config/log_filters.py): on the
# loggers that write request paths, so any handler gets them clean, and on our own handler.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_secrets": {"()": "config.log_filters.RedactSecrets"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["redact_secrets"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.request": {"filters": ["redact_secrets"]},
        "django.security.csrf": {"filters": ["redact_secrets"]},
        "lpc360.errors": {"filters": ["redact_secrets"]},
        "django.server": {
            "handlers": ["console"],
            "level": "INFO",
            "filters": ["redact_secrets"],
            "propagate": False,
        },
        "django.db.backends": {"level": "WARNING"},
        # Failed sign-ins and lockouts are warnings; every successful one would be noise.
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# Static files are served by WhiteNoise; in development it finds them without collectstatic.
WHITENOISE_USE_FINDERS = DEBUG

# Rater links: wrong tokens from one client address before it is told to wait (429).
RATER_LINK_MISS_LIMIT = env.int("RATER_LINK_MISS_LIMIT", default=20)
RATER_LINK_MISS_WINDOW_SECONDS = env.int("RATER_LINK_MISS_WINDOW_SECONDS", default=600)
# Behind a proxy, every request arrives from the proxy's address. List the proxies (addresses or
# networks, comma-separated) whose X-Forwarded-For is to be believed, or every rater and
# everyone signing in shares one address for the limits below (config/client_ip.py).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])

# Signing in from one address, whatever the accounts: this many failures within the window
# and the address waits out the rest of it (429), before any password is hashed.
SIGN_IN_ADDRESS_LIMIT = env.int("SIGN_IN_ADDRESS_LIMIT", default=30)
SIGN_IN_ADDRESS_WINDOW_MINUTES = env.int("SIGN_IN_ADDRESS_WINDOW_MINUTES", default=15)

# Leader imports of more rows than this run in a worker, with a page showing how far they are.
IMPORT_IN_REQUEST_MAX_ROWS = env.int("IMPORT_IN_REQUEST_MAX_ROWS", default=500)

# Password links: per email address asked for (known or not, alike) and per connection, an hour.
PASSWORD_RESET_EMAIL_LIMIT = env.int("PASSWORD_RESET_EMAIL_LIMIT", default=3)
PASSWORD_RESET_ADDRESS_LIMIT = env.int("PASSWORD_RESET_ADDRESS_LIMIT", default=20)

# Signing in (django-axes): 5 wrong passwords for one account from one address lock that
# pair for an hour; a password reset (which proves the mailbox) lifts it at once. Keyed on the
# pair, not the address alone, because a whole NHS trust may share one address, and not the
# account alone, so a stranger cannot lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=60))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "accounts.forms.login_username"
AXES_CLIENT_IP_CALLABLE = "config.client_ip.client_ip"
AXES_LOCKOUT_CALLABLE = "config.views.login_locked_out"
# A wrong password while locked out does not restart the hour.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Failures are what the lockout needs; successful sign-ins (address, browser) are not kept.
AXES_DISABLE_ACCESS_LOG = True

# Reports: give up on a theme PDF after this many claims; cohort export files are kept this
# long, then deleted.
REPORTS_MAX_ATTEMPTS = env.int("REPORTS_MAX_ATTEMPTS", default=3)
EXPORT_RETENTION_HOURS = env.int("EXPORT_RETENTION_HOURS", default=72)

# Answers at rest (docs/anonymity.md): drafts and submitted envelopes are encrypted with this
# key (32 bytes, base64), kept outside the database. Without it, one is derived from
# SECRET_KEY. Older keys stay readable while a rotation drains (comma-separated).
ANSWERS_KEY = env("ANSWERS_KEY", default="")
ANSWERS_PREVIOUS_KEYS = env.list("ANSWERS_PREVIOUS_KEYS", default=[])

# Single sign-on with OpenID Connect (accounts/oidc.py; docs/operations.md, "Single sign-on").
# Off unless OIDC_RP_CLIENT_ID is set. The provider is found from OIDC_ISSUER (its discovery
# document); OIDC_OP_*_ENDPOINT override it. A person is matched by verified email address,
# in one of OIDC_ALLOWED_EMAIL_DOMAINS, to the account their invitation created.
OIDC_RP_CLIENT_ID = env("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env("OIDC_RP_CLIENT_SECRET", default="")
OIDC_ISSUER = env("OIDC_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_ALLOWED_EMAIL_DOMAINS = env.list("OIDC_ALLOWED_EMAIL_DOMAINS", default=[])
# Entra ID has no email_verified claim: use its optional claim xms_edov there.
OIDC_EMAIL_VERIFIED_CLAIM = env("OIDC_EMAIL_VERIFIED_CLAIM", default="email_verified")
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=5.0)
OIDC_RP_SIGN_ALGO = "RS256"
OIDC_RP_SCOPES = "openid email profile"
OIDC_USE_PKCE = True
OIDC_CREATE_USER = False
OIDC_AUTHENTICATION_CALLBACK_URL = "accounts:oidc_callback"
# Password sign-in (and password links) can be turned off where everyone uses single sign-on.
PASSWORD_SIGNIN_ENABLED = env.bool("PASSWORD_SIGNIN_ENABLED", default=True)
if OIDC_RP_CLIENT_ID:
    _missing = [
        name
        for name in ("OIDC_RP_CLIENT_SECRET", "OIDC_ISSUER", "OIDC_ALLOWED_EMAIL_DOMAINS")
        if not globals()[name]
    ]
    if _missing:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(f"OIDC_RP_CLIENT_ID is set: set {', '.join(_missing)} too")
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "accounts.oidc.SignInBackend"]
if not PASSWORD_SIGNIN_ENABLED:
    if not OIDC_RP_CLIENT_ID:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PASSWORD_SIGNIN_ENABLED=false needs single sign-on set up")
    # No password is checked anywhere, the admin site's sign-in included.
    AUTHENTICATION_BACKENDS = ["accounts.oidc.SignInBackend"]
