"""Settings, all from environment variables.

Local runs need no variables at all: the defaults point at the embedded local AWS that
`manage.py runlocal` (devtools, installed only outside production) starts.
APP_ENV=production switches on the strict checks: a real secret key and explicit hosts
are required, and every `check --deploy` item is on.
"""

from decimal import Decimal
from pathlib import Path

from campaigns_site.config import (
    ConfigError,
    env_bool,
    env_host,
    env_int,
    env_list,
    env_str,
    env_url,
    production_secret_key,
)
from campaigns_site.csp import content_security_policy

BASE_DIR = Path(__file__).resolve().parent.parent

APP_ENV = env_str("APP_ENV", "local")
if APP_ENV not in ("local", "production"):
    raise ConfigError(f"APP_ENV must be 'local' or 'production', not {APP_ENV!r}")
PRODUCTION = APP_ENV == "production"

if PRODUCTION:
    SECRET_KEY = production_secret_key()
    DEBUG = env_bool("DJANGO_DEBUG", False)
    if DEBUG:
        raise ConfigError("DJANGO_DEBUG must be false when APP_ENV=production")
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", [])
    if not ALLOWED_HOSTS:
        raise ConfigError("DJANGO_ALLOWED_HOSTS must be set when APP_ENV=production")
else:
    SECRET_KEY = env_str("DJANGO_SECRET_KEY", "local-insecure-only-for-runs-on-this-machine")
    # Off unless asked for: the local run shows the product's own pages (404, 500), not
    # Django's debug pages, which list every route and, on an error, the settings and code.
    DEBUG = env_bool("DJANGO_DEBUG", False)
    ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])

# The site's public origin: used for CORS on the transcript bucket and for CSRF.
SITE_ORIGIN = env_url("SITE_ORIGIN", f"https://{ALLOWED_HOSTS[0]}" if PRODUCTION else "http://127.0.0.1:8000")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [SITE_ORIGIN])

# --- AWS -------------------------------------------------------------------------
AWS_REGION = env_str("AWS_REGION", "us-east-1", pattern=r"[a-z]{2}(-[a-z]+)+-\d")
# One override drives every client (DynamoDB, S3, Cognito): moto's server locally.
AWS_ENDPOINT_URL = env_url("AWS_ENDPOINT_URL")
DYNAMODB_TABLE = env_str("DYNAMODB_TABLE", "campaign-sessions-local", pattern=r"[A-Za-z0-9_.-]{3,255}")
TRANSCRIPT_BUCKET = env_str(
    "TRANSCRIPT_BUCKET", "campaign-sessions-transcripts-local", pattern=r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]"
)
# Transcripts (sessions/transcripts/services.py): the largest upload accepted, in bytes (50 MB).
# The presigned POST policy carries it to S3, and the app checks it again after upload.
TRANSCRIPT_MAX_BYTES = env_int("TRANSCRIPT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)
# How long an upload form stays valid. Short: it is signed into the form when the page
# is rendered, and the browser must start the upload within it.
TRANSCRIPT_UPLOAD_EXPIRY_SECONDS = env_int("TRANSCRIPT_UPLOAD_EXPIRY_SECONDS", 15 * 60, minimum=60)
# Normalized transcripts kept in memory per process (container), in bytes, so turning
# pages of a transcript does not fetch it from S3 again. Stored objects never change
# (each upload has its own key), so a cached copy is never stale.
TRANSCRIPT_CACHE_BYTES = env_int("TRANSCRIPT_CACHE_BYTES", 64 * 1024 * 1024, minimum=0)
COGNITO_USER_POOL_NAME = env_str("COGNITO_USER_POOL_NAME", "campaign-sessions-local")
# Locally, provisioning finds or creates the pool by name; production names it exactly.
COGNITO_USER_POOL_ID = env_str("COGNITO_USER_POOL_ID", "", required=PRODUCTION, pattern=r"[\w-]+_[0-9A-Za-z]+")
COGNITO_APP_CLIENT_ID = env_str("COGNITO_APP_CLIENT_ID", "", required=PRODUCTION, pattern=r"[\w]+")
COGNITO_APP_CLIENT_SECRET = env_str("COGNITO_APP_CLIENT_SECRET", "")

# --- Summaries (sessions/summarizers) ---------------------------------------------
# "offline": extractive, no network, no model (the default for local runs and tests).
# "bedrock": Amazon Bedrock's Converse API with BEDROCK_MODEL_ID.
# Production defaults to Bedrock (a deployed product's recap is written, not quoted); local
# runs and tests stay offline. When Bedrock refuses a job, the offline summarizer writes it
# instead and says why (sessions.summaries.runners._Writer, sessions.summaries.fallbacks).
SUMMARY_PROVIDER = env_str("SUMMARY_PROVIDER", "bedrock" if PRODUCTION else "offline")
if SUMMARY_PROVIDER not in ("offline", "bedrock"):
    raise ConfigError(f"SUMMARY_PROVIDER must be 'offline' or 'bedrock', not {SUMMARY_PROVIDER!r}")
# A model id, an inference profile id ("us.amazon.nova-lite-v1:0") or an ARN.
BEDROCK_MODEL_ID = env_str("BEDROCK_MODEL_ID", "amazon.nova-lite-v1:0", pattern=r"[A-Za-z0-9._:/-]{3,2048}")
# Bedrock's region when it differs from AWS_REGION (not every model is in every region).
BEDROCK_REGION = env_str("BEDROCK_REGION", None, pattern=r"[a-z]{2}(-[a-z]+)+-\d")
# US dollars per 1,000 tokens, only for the estimated cost stored with each summary.
# Defaults: Amazon Nova Lite on demand in us-east-1 ($0.06 / $0.24 per million tokens).
# Set both whenever BEDROCK_MODEL_ID changes.
BEDROCK_PRICE_INPUT_PER_1K = Decimal(env_str("BEDROCK_PRICE_INPUT_PER_1K", "0.00006", pattern=r"\d{1,6}(\.\d{1,12})?"))
BEDROCK_PRICE_OUTPUT_PER_1K = Decimal(
    env_str("BEDROCK_PRICE_OUTPUT_PER_1K", "0.00024", pattern=r"\d{1,6}(\.\d{1,12})?")
)
# Estimated tokens per Converse call; longer transcripts are summarized in parts and merged.
# Keep it well under the model's context window (Nova Lite: 300k; Claude: 200k).
BEDROCK_CHUNK_TOKENS = env_int("BEDROCK_CHUNK_TOKENS", 100_000, minimum=2_000)
# Attempts per call on throttling and short outages, with exponential backoff and jitter.
BEDROCK_MAX_ATTEMPTS = env_int("BEDROCK_MAX_ATTEMPTS", 6, minimum=1)
# Where summary jobs run (sessions/summaries/tasks.py): "lambda" (Zappa's @task, an
# asynchronous invocation of this function), "thread" (a worker thread in this process),
# "inline" (at once, in the request: tests) or "manual" (only queued).
SUMMARY_JOB_RUNNER = env_str("SUMMARY_JOB_RUNNER", "lambda" if PRODUCTION else "thread")
if SUMMARY_JOB_RUNNER not in ("lambda", "thread", "inline", "manual"):
    raise ConfigError(
        f"SUMMARY_JOB_RUNNER must be 'lambda', 'thread', 'inline' or 'manual', not {SUMMARY_JOB_RUNNER!r}"
    )
# A job still queued or running this long after it was queued or started reads as failed
# and may be started again. Keep it below the Lambda timeout (zappa_settings.json: 330 s).
SUMMARY_JOB_TIMEOUT_SECONDS = env_int("SUMMARY_JOB_TIMEOUT_SECONDS", 300, minimum=10)

# --- The cutover from v1.0 (cutover/, docs/cutover.md) ----------------------------
# v1.0's PostgreSQL, read by sync_v1 (its change log); empty: no sync runs.
V1_SOURCE_DSN = env_str("V1_SOURCE_DSN", "")
# The same database, written by the mirror: with it set, every change made here that v1.0
# can represent is queued in the outbox (in the change's own transaction) and applied there.
V1_MIRROR_DSN = env_str("V1_MIRROR_DSN", "")
# v1.0's transcript bucket: the mirror copies uploads made here into it (transcript_key).
V1_BUCKET = env_str("V1_BUCKET", "", pattern=r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
# The KMS key (id or ARN) retire_v1 encrypts v1.0's final pg_dump with; empty: SSE-S3 (AES256).
V1_BACKUP_KMS_KEY = env_str("V1_BACKUP_KMS_KEY", "")
# The CloudFront KeyValueStore holding the traffic split (key `app_percent`), written by
# shift_traffic; empty: no edge configured, the split is kept in the table only.
CUTOVER_KVS_ARN = env_str("CUTOVER_KVS_ARN", "", pattern=r"arn:aws:cloudfront::\d{12}:key-value-store/[\w-]{1,64}")
# API Gateway's API (its name, as CloudWatch's ApiName) whose 5XXError shift_traffic
# watches before a step forward; empty: that gate is skipped.
CUTOVER_API_NAME = env_str("CUTOVER_API_NAME", "")

# --- Django ----------------------------------------------------------------------
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "allauth",
    "allauth.account",
    "campaigns_site",
    "accounts",
    "campaigns",
    "sessions.apps.PlaySessionsConfig",
    "v1",  # the move from v1.0: management commands only
    "cutover",  # both stacks live: change capture, sync, the mirror, the traffic split
    "staff",  # the staff's pages across users
    "exports",  # your data out (a zip: JSON lines, transcripts, a Markdown vault) and back in
]
if not PRODUCTION:
    # The local run (`manage.py runlocal`, the embedded moto, the demo): development
    # only, and left out of the Lambda package (zappa_settings.json).
    INSTALLED_APPS.append("devtools")

MIDDLEWARE = [
    # First: its request line measures everything below, and carries the request's id.
    "campaigns_site.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "campaigns_site.middleware.PrivatePagesMiddleware",
    "campaigns_site.middleware.AwsCallLogMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "campaigns_site.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "campaigns_site.urls"
WSGI_APPLICATION = "campaigns_site.wsgi.application"

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
                "campaigns_site.context_processors.site",
            ],
        },
    },
]

# The ORM holds nothing durable: it is a per-process cache for the framework's own rows
# (the user row behind request.user). Each process (or Lambda container) gets its own
# SQLite file, created from a migrated template on first use (campaigns_site.ormcache).
ORM_CACHE_PATH = env_str(
    "ORM_CACHE_PATH",
    "/tmp/campaign-sessions-orm.sqlite3" if PRODUCTION else str(BASE_DIR / ".local" / "orm-cache.sqlite3"),
)
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ORM_CACHE_PATH}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Web sessions live in DynamoDB with a TTL, so any container honours them and they can
# be revoked; messages ride in a cookie.
SESSION_ENGINE = "accounts.session_store"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 24 * 14, minimum=300)
MESSAGE_STORAGE = "django.contrib.messages.storage.cookie.CookieStorage"

# --- Accounts: Cognito through allauth ------------------------------------------------
# Cognito holds the credentials; allauth gives the views, forms and flow. The backend
# checks passwords with Cognito and rebuilds the local user row from the DynamoDB profile
# on any container (docs/decisions.md, "Accounts").
AUTHENTICATION_BACKENDS = ["accounts.backends.CognitoBackend"]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "campaigns:list"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"login": "accounts.forms.LoginForm", "signup": "accounts.forms.SignupForm"}
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]  # the display name is the signup form's own field
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Cognito verifies email addresses (the code on the confirm page), not allauth.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_SESSION_REMEMBER = True  # web sessions last SESSION_COOKIE_AGE; no "remember me" box
ACCOUNT_LOGOUT_ON_GET = False
# allauth counts attempts in Django's cache, which is per container (LocMem): a first line
# that stops a burst at one container. The durable limits are Cognito's own (failed
# sign-ins lock the user out for a while; request quotas) and the API's throttling.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_signup": "20/m/ip",  # our confirm and resend-code views (accounts.views)
    "resend_code": "3/10m/key",  # per address: each resend emails it
    # Every other form that checks a password or code with Cognito is limited too
    # (tests/test_account_rate_limits.py); allauth's own default for change_password
    # is "5/m/user". Deleting the account asks the password again.
    "change_password": "5/m/user",
    "delete_account": "5/m/user,20/m/ip",
}

# The hosted UI door (optional): with a Cognito domain, Cognito's own sign-in page is a
# second way in, through allauth's amazon_cognito provider (authorization code + PKCE)
# on the same app client, landing on the same sub and profile as the password login
# (accounts/hosted_ui, accounts/social_adapter.py). Without one, none of it is loaded.
COGNITO_DOMAIN = env_host("COGNITO_DOMAIN")  # auth.example.com, or <prefix>.auth.<region>.amazoncognito.com
if COGNITO_DOMAIN:
    if not (COGNITO_USER_POOL_ID and COGNITO_APP_CLIENT_ID):
        raise ConfigError("COGNITO_DOMAIN needs COGNITO_USER_POOL_ID and COGNITO_APP_CLIENT_ID to be set too")
    INSTALLED_APPS += ["allauth.socialaccount", "allauth.socialaccount.providers.amazon_cognito"]
    SOCIALACCOUNT_ADAPTER = "accounts.social_adapter.SocialAccountAdapter"
    # The ORM is a per-container cache: no tokens and no SocialAccount rows are kept, and
    # a login never looks a user up by email; the adapter finds the user by the verified sub.
    SOCIALACCOUNT_STORE_TOKENS = False
    SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
    SOCIALACCOUNT_PROVIDERS = {
        "amazon_cognito": {
            # allauth's provider, with a callback that verifies the ID token first.
            "provider_class": "accounts.hosted_ui.provider.HostedUIProvider",
            "DOMAIN": f"https://{COGNITO_DOMAIN}",
            "OAUTH_PKCE_ENABLED": True,
            "SCOPE": ["openid", "email", "profile"],
            # The same app client as the password login: one secret, one audience to verify.
            "APPS": [{"client_id": COGNITO_APP_CLIENT_ID, "secret": COGNITO_APP_CLIENT_SECRET}],
        }
    }

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# samples/: one transcript per format, linked from the upload form as /static/samples/...
STATICFILES_DIRS = [BASE_DIR / "static", ("samples", BASE_DIR / "samples")]
STATIC_ROOT = BASE_DIR / "staticfiles"
# Locally WhiteNoise serves straight from static/ (no collectstatic); the Lambda package
# ships collected, hashed and compressed files.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Security --------------------------------------------------------------------
# No inline scripts or styles; forms post here (and, on the pages with the upload form, to
# the transcript bucket: campaigns_site/csp.py).
SECURE_CSP = content_security_policy()
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
if PRODUCTION:
    # API Gateway and CloudFront end TLS and say so in X-Forwarded-Proto.
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]

LOG_LEVEL = env_str("LOG_LEVEL", "INFO", pattern=r"DEBUG|INFO|WARNING|ERROR|CRITICAL")
# "json" on Lambda (one JSON object per line, for CloudWatch Logs Insights: see
# deploy/README.md), "plain" elsewhere, where people read the lines themselves.
LOG_FORMAT = env_str(
    "LOG_FORMAT", "json" if env_str("AWS_LAMBDA_FUNCTION_NAME", "") else "plain", pattern=r"json|plain"
)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(levelname)s %(name)s %(message)s"},
        "json": {"()": "campaigns_site.log_format.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "botocore": {"level": "WARNING"},
        "pynamodb": {"level": "WARNING"},
        "werkzeug": {"level": "WARNING"},
        # The line per request is for CloudWatch Logs Insights; locally runserver already
        # prints one per request.
        "campaigns_site.requests": {"level": "INFO" if LOG_FORMAT == "json" else "WARNING"},
    },
}

# --- Operating it: logs, budget and alarms (provision, manage.py alarms) -----------
# The Lambda function: its log group (/aws/lambda/<name>) gets provision's retention and
# the alarms' metric filter. Zappa names it <project_name>-<stage>; on Lambda it is known.
LAMBDA_FUNCTION_NAME = env_str(
    "LAMBDA_FUNCTION_NAME",
    env_str("AWS_LAMBDA_FUNCTION_NAME", "campaign-sessions-production"),
    pattern=r"[A-Za-z0-9_-]{1,64}",
)
LOG_RETENTION_DAYS = env_int("LOG_RETENTION_DAYS", 30, minimum=1)
COST_BUDGET_MONTHLY_USD = Decimal(env_str("COST_BUDGET_MONTHLY_USD", "10", pattern=r"\d{1,9}(\.\d{1,2})?"))
ALERT_EMAILS = env_list("ALERT_EMAILS", [])
# "key=value": the cost-allocation tag provision puts on every resource it makes (unset:
# none); `manage.py alarms --only-tagged` makes the budget count only its costs.
COST_ALLOCATION_TAG = env_str("COST_ALLOCATION_TAG", "", pattern=r"[^=]{1,128}=[^=]{0,256}")
# The app's own cost meter (campaigns_site/meter.py): per-hour counters of requests,
# capacity units, S3 requests, Lambda time, bytes out and model tokens, flushed to the
# table at most every COST_METER_FLUSH_SECONDS per process. On by default on Lambda only.
COST_METER = env_bool("COST_METER", bool(env_str("AWS_LAMBDA_FUNCTION_NAME", "")))
COST_METER_FLUSH_SECONDS = env_int("COST_METER_FLUSH_SECONDS", 60, minimum=1)
# The function's memory (Lambda sets the variable; zappa_settings.json's memory_size else).
LAMBDA_MEMORY_MB = env_int("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", 1769, minimum=128)
