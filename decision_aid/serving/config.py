"""Settings read from the environment, with safe defaults for local development only."""

from __future__ import annotations

import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet

KNOWN_WEAK_KEYS = {"dev", "changeme", "secret", "development", "test", "please-change-me"}
MIN_SECRET_BYTES = 32
MIN_DISTINCT_CHARS = 10


class ConfigError(RuntimeError):
    """Raised when production settings are missing or unsafe."""


@dataclass(frozen=True)
class DevSecrets:
    secret_key: str
    code_pepper: str
    data_key: str


def load_dev_secrets(instance_path: Path) -> DevSecrets:
    """Create (once) and read random development secrets kept under instance/, never committed."""
    instance_path.mkdir(parents=True, exist_ok=True)
    path = instance_path / "dev-secrets.json"
    if not path.exists():
        data = {
            "secret_key": secrets.token_hex(32),
            "code_pepper": secrets.token_hex(32),
            "data_key": Fernet.generate_key().decode(),
        }
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            json.dump(data, fh)
    data = json.loads(path.read_text())
    return DevSecrets(data["secret_key"], data["code_pepper"], data["data_key"])


def normalise_database_url(url: str) -> str:
    """postgres:// and postgresql:// URLs mean psycopg 3 here; psycopg2 is not installed."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def settings_from_env(instance_path: Path, env: dict[str, str] | None = None) -> dict[str, object]:
    """Build the Flask config mapping from environment variables."""
    env = dict(os.environ if env is None else env)
    app_env = env.get("APP_ENV", "development").strip().lower()
    production = app_env == "production"
    dev = None if production else load_dev_secrets(instance_path)

    default_db = f"sqlite:///{instance_path / 'decision_aid.sqlite3'}"
    settings: dict[str, object] = {
        "APP_ENV": app_env,
        "SECRET_KEY": env.get("SECRET_KEY") or (dev.secret_key if dev else ""),
        "CODE_PEPPER": env.get("CODE_PEPPER") or (dev.code_pepper if dev else ""),
        "DATA_KEYS": env.get("DATA_KEYS") or (dev.data_key if dev else ""),
        "DATABASE_URL": normalise_database_url(env.get("DATABASE_URL") or default_db),
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI") or "memory://",
        # Lets several apps (or test runs) share one Redis without sharing counters.
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", "decision_aid"),
        # If Redis goes away, each worker keeps counting in memory instead of failing requests.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "TRUSTED_PROXY_HOPS": int(env.get("TRUSTED_PROXY_HOPS", "0") or 0),
        "ALLOWED_HOSTS": [h.strip() for h in env.get("ALLOWED_HOSTS", "").split(",") if h.strip()],
        "MAX_CONTENT_LENGTH": int(env.get("MAX_CONTENT_LENGTH", str(64 * 1024))),
        "SESSION_COOKIE_SECURE": _bool(env.get("SESSION_COOKIE_SECURE"), production),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,
        "DRAFT_RETENTION_DAYS": int(env.get("DRAFT_RETENTION_DAYS", "30")),
        "SAVED_RETENTION_DAYS": int(env.get("SAVED_RETENTION_DAYS", "365")),
        "CLINICIAN_IDLE_MINUTES": int(env.get("CLINICIAN_IDLE_MINUTES", "15")),
        "CLINICIAN_ABSOLUTE_HOURS": int(env.get("CLINICIAN_ABSOLUTE_HOURS", "12")),
        "PASSWORD_HASH_PROFILE": env.get("PASSWORD_HASH_PROFILE", "default"),
        "PDF_CACHE_SIZE": int(env.get("PDF_CACHE_SIZE", "64")),
        # The clinic-wide rule that every clinician signs in with a second factor.
        "CLINICIAN_MFA_REQUIRED": _bool(env.get("CLINICIAN_MFA_REQUIRED"), production),
        "WEBAUTHN_RP_ID": env.get("WEBAUTHN_RP_ID", ""),
        "WEBAUTHN_ORIGIN": env.get("WEBAUTHN_ORIGIN", ""),
        # IANA name such as "America/Chicago": clinician pages show times in the clinic's zone.
        "CLINIC_TIMEZONE": env.get("CLINIC_TIMEZONE", ""),
        # gunicorn reads WEB_CONCURRENCY as its worker count; the limiter check below uses it.
        "WORKERS": int(env.get("WEB_CONCURRENCY", "1") or 1),
    }
    if settings["SESSION_COOKIE_SECURE"]:
        settings["SESSION_COOKIE_NAME"] = "__Host-session"
    if settings["ALLOWED_HOSTS"]:
        settings["TRUSTED_HOSTS"] = settings["ALLOWED_HOSTS"]
    return settings


def check_production(settings: dict[str, object]) -> None:
    """Refuse to start a production app with missing or weak secrets or the SQLite default."""
    problems: list[str] = []
    if _weak(str(settings.get("SECRET_KEY") or "")):
        problems.append("SECRET_KEY must be set to a random value of at least 32 bytes")
    if _weak(str(settings.get("CODE_PEPPER") or "")):
        problems.append("CODE_PEPPER must be set to a random value of at least 32 bytes")
    if not _valid_data_keys(str(settings.get("DATA_KEYS") or "")):
        problems.append("DATA_KEYS must hold one or more Fernet keys, separated by commas")
    if str(settings.get("DATABASE_URL", "")).startswith("sqlite"):
        problems.append("DATABASE_URL must point at PostgreSQL in production")
    if not settings.get("ALLOWED_HOSTS"):
        problems.append("ALLOWED_HOSTS must list the host names the app answers to")
    workers = settings.get("WORKERS", 1)
    if str(settings.get("RATELIMIT_STORAGE_URI", "")).startswith("memory") and (
            isinstance(workers, int) and workers > 1):
        problems.append(
            "RATELIMIT_STORAGE_URI must point at Redis (redis://...) when WEB_CONCURRENCY is "
            "more than 1: with memory:// each worker counts on its own and every limit "
            "multiplies by the number of workers")
    if problems:
        raise ConfigError("; ".join(problems))


def _weak(value: str) -> bool:
    # Too short, a well-known placeholder, or a repeated pattern such as "x" * 40.
    return (len(value.encode()) < MIN_SECRET_BYTES or value.lower() in KNOWN_WEAK_KEYS
            or len(set(value)) < MIN_DISTINCT_CHARS)


def _valid_data_keys(value: str) -> bool:
    keys = [k.strip() for k in value.split(",") if k.strip()]
    if not keys:
        return False
    try:
        for key in keys:
            Fernet(key.encode())
    except ValueError:
        return False
    return True
