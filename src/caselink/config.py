"""Settings from the environment.

Every setting has a documented environment variable (see README "Configuration"). Settings are
read once per process; tests build their own with ``Settings.from_env(overrides)``.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path

from caselink.platform.errors import ConfigurationError

# The repository root when running from a checkout (src layout): node_modules lives here.
PROJECT_ROOT = Path(__file__).resolve().parents[2]


def _int(name: str, default: int, env: dict[str, str]) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ConfigurationError(f"{name} must be a whole number, not {raw!r}.") from None


def _bool(name: str, default: bool, env: dict[str, str]) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise ConfigurationError(f"{name} must be true or false, not {raw!r}.")


def _check_range(name: str, value: int, low: int, high: int) -> None:
    if not low <= value <= high:
        raise ConfigurationError(f"{name} must be between {low} and {high}, not {value}.")


@dataclass(frozen=True)
class Settings:
    database_url: str | None
    data_dir: Path
    host: str = "127.0.0.1"
    port: int = 8000
    workers: int = 2
    db_pool_size: int = 10
    db_max_overflow: int = 10
    embedded_pg_port: int = 54329
    secret_key: str = field(default="", repr=False)
    demo_mode: bool = True
    demo_people: int = 200
    max_in_flight: int = 200
    assets_dir: Path = PROJECT_ROOT / "node_modules"
    log_json: bool = True
    # Retention (platform/retention.py): days to keep delivered messages and feed entries (0: forever).
    retention_delivered_days: int = 90
    retention_feed_days: int = 90
    retention_interval_seconds: int = 3600
    retention_batch_size: int = 5000

    @classmethod
    def from_env(cls, overrides: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ)
        if overrides:
            env.update(overrides)
        data_dir = Path(env.get("CASELINK_DATA_DIR") or PROJECT_ROOT / ".data").resolve()
        cpu = os.cpu_count() or 1
        settings = cls(
            database_url=env.get("DATABASE_URL") or None,
            data_dir=data_dir,
            host=env.get("CASELINK_HOST", "127.0.0.1"),
            port=_int("CASELINK_PORT", 8000, env),
            workers=_int("CASELINK_WORKERS", min(max(cpu, 1), 4), env),
            db_pool_size=_int("CASELINK_DB_POOL_SIZE", 10, env),
            db_max_overflow=_int("CASELINK_DB_MAX_OVERFLOW", 10, env),
            embedded_pg_port=_int("CASELINK_EMBEDDED_PG_PORT", 54329, env),
            secret_key=env.get("CASELINK_SECRET_KEY", ""),
            demo_mode=_bool("CASELINK_DEMO_MODE", True, env),
            demo_people=_int("CASELINK_DEMO_PEOPLE", 200, env),
            max_in_flight=_int("CASELINK_MAX_IN_FLIGHT", 200, env),
            assets_dir=Path(env.get("CASELINK_ASSETS_DIR") or PROJECT_ROOT / "node_modules"),
            log_json=_bool("CASELINK_LOG_JSON", True, env),
            retention_delivered_days=_int("CASELINK_RETENTION_DELIVERED_DAYS", 90, env),
            retention_feed_days=_int("CASELINK_RETENTION_FEED_DAYS", 90, env),
            retention_interval_seconds=_int("CASELINK_RETENTION_INTERVAL_SECONDS", 3600, env),
            retention_batch_size=_int("CASELINK_RETENTION_BATCH_SIZE", 5000, env),
        )
        _check_range("CASELINK_PORT", settings.port, 1, 65535)
        _check_range("CASELINK_EMBEDDED_PG_PORT", settings.embedded_pg_port, 1, 65535)
        _check_range("CASELINK_WORKERS", settings.workers, 1, 64)
        _check_range("CASELINK_DB_POOL_SIZE", settings.db_pool_size, 1, 1000)
        _check_range("CASELINK_DB_MAX_OVERFLOW", settings.db_max_overflow, 0, 1000)
        _check_range("CASELINK_DEMO_PEOPLE", settings.demo_people, 0, 10_000_000)
        _check_range("CASELINK_MAX_IN_FLIGHT", settings.max_in_flight, 1, 100_000)
        _check_range("CASELINK_RETENTION_DELIVERED_DAYS", settings.retention_delivered_days, 0, 36_500)
        _check_range("CASELINK_RETENTION_FEED_DAYS", settings.retention_feed_days, 0, 36_500)
        _check_range("CASELINK_RETENTION_INTERVAL_SECONDS", settings.retention_interval_seconds, 10, 604_800)
        _check_range("CASELINK_RETENTION_BATCH_SIZE", settings.retention_batch_size, 100, 100_000)
        if not settings.host.strip():
            raise ConfigurationError("CASELINK_HOST is empty; set it to an address such as 127.0.0.1 or 0.0.0.0.")
        return settings

    @property
    def uses_embedded_database(self) -> bool:
        return self.database_url is None

    def with_secret_key(self) -> Settings:
        """Return settings with a secret key: the given one, or one kept in the data folder."""
        if self.secret_key:
            return self
        return replace(self, secret_key=load_or_create_secret_key(self.data_dir))


def ensure_data_dir(data_dir: Path) -> None:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # Named per process: several workers may check the same folder at the same moment.
        probe = data_dir / f".write-test-{os.getpid()}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        raise ConfigurationError(
            f"Caselink cannot write to its data folder {data_dir} ({exc.strerror or exc}); give your user "
            "write permission to it or set CASELINK_DATA_DIR to a folder you can write to."
        ) from None


def load_or_create_secret_key(data_dir: Path) -> str:
    ensure_data_dir(data_dir)
    path = data_dir / "secret_key"
    try:
        if not path.exists():
            # Written whole under a private name, then linked into place: a process starting at the
            # same moment sees either no key or the complete one, and exactly one key wins.
            # Owner-only permissions: the key signs sessions and CSRF tokens.
            draft = data_dir / f".secret_key-{os.getpid()}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_urlsafe(48))
            try:
                os.link(draft, path)
            except FileExistsError:
                pass
            finally:
                draft.unlink()
        key = path.read_text().strip()
    except OSError as exc:
        raise ConfigurationError(
            f"Caselink cannot read or create its secret key {path} ({exc.strerror or exc}); fix the file's "
            "permissions or set CASELINK_SECRET_KEY."
        ) from None
    if not key:
        raise ConfigurationError(f"The secret key file {path} is empty; delete it to have a new one made.")
    return key


_settings: Settings | None = None


def get_settings() -> Settings:
    global _settings
    if _settings is None:
        _settings = Settings.from_env().with_secret_key()
    return _settings


def set_settings(settings: Settings | None) -> None:
    global _settings
    _settings = settings
