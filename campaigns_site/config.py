"""Reading settings from environment variables.

A missing or malformed variable raises ConfigError, whose message is one line naming
the variable. manage.py and the WSGI entry print that line and stop, instead of a
traceback, so an operator sees at once what to fix.
"""

import os
import re
from urllib.parse import urlsplit


class ConfigError(Exception):
    """A setting is missing or malformed. The message names the variable."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False, pattern=None, environ=None):
    environ = os.environ if environ is None else environ
    value = environ.get(name, "").strip()
    if not value:
        if required:
            raise ConfigError(f"{name} must be set")
        return default
    if pattern and not re.fullmatch(pattern, value):
        raise ConfigError(f"{name} is malformed: {value!r} does not match {pattern}")
    return value


def env_bool(name, default, *, environ=None):
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ConfigError(f"{name} must be true or false, not {raw!r}")


def env_int(name, default, *, minimum=0, environ=None):
    environ = os.environ if environ is None else environ
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name, default, *, environ=None):
    environ = os.environ if environ is None else environ
    raw = environ.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [part.strip() for part in raw.split(",") if part.strip()]


def env_url(name, default=None, *, environ=None):
    value = env_str(name, default, environ=environ)
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"{name} must be an http(s) URL, not {value!r}")
    return value.rstrip("/")


# A DNS name: dot-separated labels of letters, digits and inner hyphens, at least two.
_HOST_NAME = re.compile(r"(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def env_host(name, default="", *, environ=None):
    """A bare host name such as auth.example.com (no scheme, port or path), lower-cased."""
    value = env_str(name, default, environ=environ)
    if not value:
        return default
    if not _HOST_NAME.fullmatch(value.lower()):
        raise ConfigError(f"{name} must be a host name such as auth.example.com, not {value!r}")
    return value.lower()


# Placeholder keys that must never reach production.
INSECURE_KEY_PREFIXES = ("django-insecure", "local-insecure", "change-me")


def production_secret_key(name="DJANGO_SECRET_KEY", *, environ=None):
    value = env_str(name, required=True, environ=environ)
    if value.startswith(INSECURE_KEY_PREFIXES):
        raise ConfigError(f"{name} is a placeholder; set a real random key in production")
    if len(value) < 50 or len(set(value)) < 5:
        raise ConfigError(f"{name} is too weak: use at least 50 random characters")
    return value
