"""Settings, read once from the environment into one typed object."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from resolvers.geo import KUPANG_SERVICE_AREA, BoundingBox
from resolvers.rate_limits import parse_rate_limit
from schema.operation_limits import POINTS_PER_HOUR, OperationLimits


class SettingsError(ValueError):
    """The environment holds a value Sigap cannot run with."""


def _default_database_url() -> str:
    return f"sqlite://{Path('data') / 'sigap.db'}"


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    service_area: BoundingBox = KUPANG_SERVICE_AREA
    timezone: str = "Asia/Makassar"
    seed_on_start: bool = True
    graphiql: bool = True
    max_page_size: int = 100
    response_cache: bool = True
    log_level: str = "info"
    # Limits at the door (server.http_guards) and in the database.
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    max_body_bytes: int = 2**20
    statement_timeout_s: float = 5.0
    query_points_per_hour: int = POINTS_PER_HOUR
    rate_limits: dict[str, str] = field(default_factory=dict)  # overrides of resolvers.rate_limits

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def operation_limits(self) -> OperationLimits:
        return OperationLimits(production=self.is_production, points_per_hour=self.query_points_per_hour)

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        environment = env.get("SIGAP_ENV", "development")
        if environment not in {"development", "production", "test"}:
            raise SettingsError("SIGAP_ENV must be development, production or test")
        production = environment == "production"
        try:
            port = int(env.get("PORT", "8000"))
        except ValueError as exc:
            raise SettingsError("PORT must be a number") from exc
        return cls(
            environment=environment,
            database_url=env.get("DATABASE_URL") or _default_database_url(),
            redis_url=env.get("REDIS_URL") or None,
            host=env.get("HOST", "127.0.0.1"),
            port=port,
            service_area=_service_area(env.get("SERVICE_AREA")),
            timezone=env.get("SIGAP_TIMEZONE", "Asia/Makassar"),
            seed_on_start=_flag(env.get("SEED_ON_START"), default=not production),
            graphiql=_flag(env.get("GRAPHIQL"), default=not production),
            log_level=env.get("LOG_LEVEL", "info"),
            response_cache=_flag(env.get("RESPONSE_CACHE"), default=True),
            allowed_hosts=_hosts(env.get("ALLOWED_HOSTS")),
            max_body_bytes=_positive(env, "MAX_BODY_BYTES", 2**20, int),
            statement_timeout_s=_positive(env, "STATEMENT_TIMEOUT", 5.0, float),
            query_points_per_hour=_positive(env, "QUERY_POINTS_PER_HOUR", POINTS_PER_HOUR, int),
            rate_limits=_rate_limits(env),
        )


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"expected a yes/no flag, got {value!r}")


def _service_area(text: str | None) -> BoundingBox:
    if not text:
        return KUPANG_SERVICE_AREA
    try:
        min_lat, min_lon, max_lat, max_lon = (float(part) for part in text.split(","))
    except ValueError as exc:
        raise SettingsError(f"SERVICE_AREA must be 'minLat,minLon,maxLat,maxLon', got {text!r}") from exc
    box = BoundingBox(min_lat, min_lon, max_lat, max_lon)
    if not box.is_valid() or min_lat == max_lat or min_lon == max_lon:
        raise SettingsError(f"SERVICE_AREA is not a valid rectangle: {text!r}")
    return box


N = TypeVar("N", int, float)


def _positive(env: dict[str, str], name: str, default: N, kind: type[N]) -> N:
    text = env.get(name)
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {text!r}") from exc
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {text!r}")
    return value


def _hosts(text: str | None) -> tuple[str, ...]:
    if not text:
        return Settings.allowed_hosts
    return tuple(host.strip() for host in text.split(",") if host.strip())


def _rate_limits(env: dict[str, str]) -> dict[str, str]:
    """RATE_LIMIT_FILE_REPORT="10/minute;100/hour", RATE_LIMIT_SIGN_IN=..."""
    limits: dict[str, str] = {}
    for name in ("file_report", "sign_in"):
        text = env.get(f"RATE_LIMIT_{name.upper()}")
        if text:
            try:
                limits[name] = parse_rate_limit(text)
            except ValueError as exc:
                raise SettingsError(f"RATE_LIMIT_{name.upper()} is not a rate limit: {text!r}") from exc
    return limits
