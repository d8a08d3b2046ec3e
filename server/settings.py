"""Settings, read once from the environment into one typed object."""

from __future__ import annotations

import math
import os
import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit

from shapely.errors import ShapelyError

from resolvers.geo import BoundingBox
from resolvers.outbound_addresses import OutboundPolicy
from resolvers.rate_limits import DEFAULT_RATE_LIMITS, parse_rate_limit
from resolvers.service_area import ServiceArea, kupang_service_area, service_area_from_file
from resolvers.vapid import VapidKeyError, WebPushConfig, web_push_config
from schema.operation_limits import POINTS_PER_HOUR, OperationLimits
from schema.subgraph_names import SUBGRAPHS


class SettingsError(ValueError):
    """The environment holds a value Sigap cannot run with."""


PHOTO_STORAGE_KINDS = ("local", "s3")


def _default_database_url() -> str:
    return f"sqlite://{Path('data') / 'sigap.db'}"


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    database_url: str = field(default_factory=_default_database_url)
    redis_url: str | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    service_area: ServiceArea = field(default_factory=kupang_service_area)
    timezone: str = "Asia/Makassar"
    seed_on_start: bool = True
    graphiql: bool = True
    max_page_size: int = 100
    response_cache: bool = True
    compiled_reads: bool = True  # hot read documents from compiled plans (schema.compiled)
    # Repeats of compiled documents over POST answered past Strawberry's view (server.lean_reads)
    lean_reads: bool = True
    jwt_secret: str = field(default_factory=lambda: secrets.token_urlsafe(32), repr=False)
    log_level: str = "info"
    subgraph: str | None = None  # serve one federated subgraph instead of the whole API
    workers: int = 1  # processes sharing the port, as replicas behind one address
    migrate_on_start: bool = True  # off where a one-off `sigap migrate` runs before the replicas
    # Shared with the gateway: a request carrying it comes from the gateway, which is believed about
    # the client's address (server/gateway_identity.py), and its websockets get the gateway's limit.
    gateway_token: str | None = field(default=None, repr=False)
    # Proxies whose X-Forwarded-For uvicorn believes (comma-separated addresses); none by default.
    forwarded_allow_ips: str = ""
    # The gateway carries many clients' subscriptions over one connection (server/gateway_identity.py).
    gateway_subscriptions_per_connection: int = 10_000
    event_channel: str = "sigap:report-events"
    live_init_timeout: float = 10.0
    live_keepalive: float = 12.0
    live_send_queue: int = 512
    live_max_operations: int = 100
    live_max_connections_per_client: int = 100  # websockets + SSE streams one address may hold
    live_credentials_recheck: float = 5.0  # seconds between proofs of an open connection's credentials
    legacy_graphql_ws: bool = False
    # "shared" (execute once per group) or "per-subscriber" (Strawberry's own handler, which
    # executes per subscriber: kept as the benchmark's baseline).
    live_engine: str = "shared"
    allowed_origins: tuple[str, ...] = ()
    # Escalations and automatic closes (server/jobs.py); 0 turns the background task off.
    jobs_interval_s: float = 60.0
    # Outbound deliveries (realtime/deliveries.py): how often other processes' commits are looked
    # for, how long one send may take, and the first retry's wait (doubling per attempt, to 1 h).
    delivery_poll_s: float = 2.0
    delivery_send_timeout_s: float = 10.0
    delivery_retry_base_s: float = 10.0
    # Settled deliveries (delivered, failed, cancelled) older than this are deleted by the periodic
    # jobs and `sigap deliveries run-once`, so the delivery log does not grow without end; 0 keeps them.
    delivery_retention_days: int = 30
    # Webhooks (server/webhooks/): how long a delivery is retried before the endpoint is disabled.
    webhook_retry_s: float = 86_400.0
    # Which private addresses outbound requests (webhooks, Web Push) may go to (OUTBOUND_ALLOW_PRIVATE:
    # "1" any; networks; none by default: SSRF). resolvers/outbound_addresses.py.
    outbound_addresses: OutboundPolicy = field(default_factory=OutboundPolicy)
    photo_storage: str = "local"  # or "s3": any S3-compatible bucket
    photo_dir: Path = Path("data") / "photos"
    open_data_dir: Path | None = None  # the nightly public files (server/open_data.py); unset: none
    photo_url_base: str = "/photos"  # where clients fetch /photos/{name}: a proxy's or CDN's address
    # The address the public reaches this API at, behind any proxy: relative addresses the API
    # hands out (photos) are made absolute with it, since a mobile app has no page to resolve them
    # against. Unset, the server's own host and port.
    public_base_url: str | None = None
    s3_bucket: str | None = None
    s3_endpoint_url: str | None = None  # unset for AWS; MinIO, Ceph or R2 otherwise
    s3_region: str | None = None
    s3_access_key_id: str | None = None
    s3_secret_access_key: str | None = field(default=None, repr=False)
    s3_prefix: str = ""
    # Limits at the door (server.http_guards) and in the database.
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1")
    max_body_bytes: int = 2**20
    statement_timeout_s: float = 5.0
    query_points_per_hour: int = POINTS_PER_HOUR
    rate_limits: dict[str, str] = field(default_factory=dict)  # overrides of resolvers.rate_limits
    smtp_url: str | None = field(default=None, repr=False)  # unset: mail goes to the log
    mail_from: str = "Sigap <no-reply@localhost>"
    password_reset_lifetime: timedelta = timedelta(minutes=30)  # how long a mailed reset token works
    # Observability (server/observability): who may read /metrics, and the log format.
    metrics_token: str | None = field(default=None, repr=False)
    log_format: str = "text"  # or "json": one JSON object per line, with the request id
    web_push: WebPushConfig = field(default_factory=WebPushConfig)  # VAPID key (resolvers/vapid.py)

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @property
    def uses_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def photo_address_base(self) -> str:
        """PHOTO_URL_BASE as an absolute address: as given when it is one (a CDN), else below
        PUBLIC_BASE_URL."""
        if self.photo_url_base.startswith(("http://", "https://")):
            return self.photo_url_base
        return self.public_address.rstrip("/") + "/" + self.photo_url_base.lstrip("/")

    @property
    def public_address(self) -> str:
        """Where people reach this deployment: PUBLIC_BASE_URL, else this server itself."""
        host = "localhost" if self.host in {"", "0.0.0.0", "::"} else self.host  # noqa: S104 - a comparison
        return self.public_base_url or f"http://{host}:{self.port}"

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
        live_engine = _choice(env, "LIVE_ENGINE", ("shared", "per-subscriber"))
        if production and live_engine != "shared":
            # The benchmark's baseline has no send-queue bound and no credential re-checks.
            raise SettingsError("LIVE_ENGINE=per-subscriber is a benchmark baseline; never in production")
        port = _whole_number(env, "PORT", 8000)
        workers = _whole_number(env, "WORKERS", 1)
        if workers < 1:
            raise SettingsError("WORKERS must be 1 or more")
        if workers > 1 and not env.get("REDIS_URL"):
            # Each worker would have its own in-process bus: a subscriber would miss what the
            # other workers commit.
            raise SettingsError("WORKERS above 1 needs REDIS_URL: workers share live events through Redis")
        subgraph = env.get("SIGAP_SUBGRAPH") or None
        if subgraph is not None and subgraph not in SUBGRAPHS:
            raise SettingsError(f"SIGAP_SUBGRAPH must be one of {', '.join(SUBGRAPHS)}, got {subgraph!r}")
        photo_storage = env.get("PHOTO_STORAGE") or "local"
        if photo_storage not in PHOTO_STORAGE_KINDS:
            raise SettingsError(f"PHOTO_STORAGE must be local or s3, got {photo_storage!r}")
        if photo_storage == "s3" and not env.get("S3_BUCKET"):
            raise SettingsError("PHOTO_STORAGE=s3 needs S3_BUCKET")
        return cls(
            environment=environment,
            database_url=env.get("DATABASE_URL") or _default_database_url(),
            redis_url=env.get("REDIS_URL") or None,
            host=env.get("HOST", "127.0.0.1"),
            port=port,
            service_area=_service_area(env.get("SERVICE_AREA"), env.get("SERVICE_AREA_FILE")),
            timezone=env.get("SIGAP_TIMEZONE", "Asia/Makassar"),
            seed_on_start=_flag(env.get("SEED_ON_START"), default=not production),
            graphiql=_flag(env.get("GRAPHIQL"), default=not production),
            log_level=env.get("LOG_LEVEL", "info"),
            response_cache=_flag(env.get("RESPONSE_CACHE"), default=True),
            compiled_reads=_flag(env.get("COMPILED_READS"), default=True),
            lean_reads=_flag(env.get("LEAN_READS"), default=True),
            jwt_secret=_jwt_secret(env.get("JWT_SECRET"), production=production),
            subgraph=subgraph,
            workers=workers,
            migrate_on_start=_flag(env.get("MIGRATE_ON_START"), default=True),
            gateway_token=_gateway_token(env.get("GATEWAY_TOKEN")),
            forwarded_allow_ips=env.get("FORWARDED_ALLOW_IPS", "").strip(),
            gateway_subscriptions_per_connection=_whole_number(
                env, "GATEWAY_SUBSCRIPTIONS_PER_CONNECTION", 10_000
            ),
            event_channel=env.get("EVENT_CHANNEL") or "sigap:report-events",
            live_init_timeout=_positive(env, "LIVE_INIT_TIMEOUT", 10.0, float),
            live_keepalive=_positive(env, "LIVE_KEEPALIVE", 12.0, float),
            live_send_queue=_positive(env, "LIVE_SEND_QUEUE", 512, int),
            live_max_operations=_positive(env, "LIVE_MAX_OPERATIONS", 100, int),
            live_max_connections_per_client=_positive(env, "LIVE_MAX_CONNECTIONS_PER_CLIENT", 100, int),
            live_credentials_recheck=_positive(env, "LIVE_CREDENTIALS_RECHECK", 5.0, float),
            legacy_graphql_ws=_flag(env.get("LEGACY_GRAPHQL_WS"), default=False),
            live_engine=live_engine,
            allowed_origins=tuple(o.strip() for o in env.get("ALLOWED_ORIGINS", "").split(",") if o.strip()),
            # Explicit in every environment: a test deployment escalates too unless told not to.
            jobs_interval_s=_seconds(env, "JOBS_INTERVAL_SECONDS", 60.0),
            delivery_poll_s=_positive(env, "DELIVERY_POLL_SECONDS", 2.0, float),
            delivery_send_timeout_s=_positive(env, "DELIVERY_SEND_TIMEOUT_SECONDS", 10.0, float),
            delivery_retry_base_s=_positive(env, "DELIVERY_RETRY_BASE_SECONDS", 10.0, float),
            delivery_retention_days=_retention_days(env),
            webhook_retry_s=_positive(env, "WEBHOOK_RETRY_SECONDS", 86_400.0, float),
            outbound_addresses=_outbound_addresses(env, production=environment == "production"),
            photo_storage=photo_storage,
            photo_dir=Path(env.get("PHOTO_DIR") or Path("data") / "photos"),
            open_data_dir=Path(env["OPEN_DATA_DIR"]) if env.get("OPEN_DATA_DIR") else None,
            photo_url_base=env.get("PHOTO_URL_BASE") or "/photos",
            public_base_url=_public_base_url(env.get("PUBLIC_BASE_URL")),
            s3_bucket=env.get("S3_BUCKET") or None,
            s3_endpoint_url=env.get("S3_ENDPOINT_URL") or None,
            s3_region=env.get("S3_REGION") or None,
            s3_access_key_id=env.get("S3_ACCESS_KEY_ID") or None,
            s3_secret_access_key=env.get("S3_SECRET_ACCESS_KEY") or None,
            s3_prefix=env.get("S3_PREFIX") or "",
            allowed_hosts=_hosts(env.get("ALLOWED_HOSTS")),
            max_body_bytes=_positive(env, "MAX_BODY_BYTES", 2**20, int),
            statement_timeout_s=_positive(env, "STATEMENT_TIMEOUT", 5.0, float),
            query_points_per_hour=_positive(env, "QUERY_POINTS_PER_HOUR", POINTS_PER_HOUR, int),
            rate_limits=_rate_limits(env),
            smtp_url=env.get("SMTP_URL") or None,
            mail_from=env.get("MAIL_FROM") or "Sigap <no-reply@localhost>",
            password_reset_lifetime=timedelta(minutes=_positive(env, "PASSWORD_RESET_MINUTES", 30, int)),
            metrics_token=env.get("METRICS_TOKEN") or None,
            log_format=_choice(env, "LOG_FORMAT", ("text", "json")),
            web_push=_web_push(env, environment),
        )


def _choice(env: dict[str, str], name: str, choices: tuple[str, ...]) -> str:
    value = env.get(name) or choices[0]
    if value not in choices:
        raise SettingsError(f"{name} must be one of {', '.join(choices)}, got {value!r}")
    return value


def _whole_number(env: dict[str, str], name: str, default: int) -> int:
    try:
        return int(env.get(name, str(default)))
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number") from exc


N = TypeVar("N", int, float)


def _seconds(env: dict[str, str], name: str, default: float) -> float:
    text = env.get(name)
    value = _number(name, text, float) if text else default
    if value < 0:
        raise SettingsError(f"{name} must be 0 (off) or more")
    return value


MAX_SECONDS = 86_400.0  # longer timeouts and intervals are typos (or `inf`), and overflow timers


def _retention_days(env: dict[str, str]) -> int:
    text = env.get("DELIVERY_RETENTION_DAYS")
    value = _number("DELIVERY_RETENTION_DAYS", text, int) if text else 30
    if not 0 <= value <= 36_500:
        raise SettingsError(f"DELIVERY_RETENTION_DAYS must be 0 (keep) to 36500, got {text!r}")
    return value


def _number(name: str, text: str, kind: type[N]) -> N:
    """`text` as a finite number of `kind`: `nan` and `inf` parse as floats but would switch a
    timeout off (inf) or make every comparison false (nan)."""
    try:
        value = kind(text)
    except ValueError as exc:
        raise SettingsError(f"{name} must be a number, got {text!r}") from exc
    if not math.isfinite(value):
        raise SettingsError(f"{name} must be a finite number, got {text!r}")
    if kind is float and value > MAX_SECONDS:
        raise SettingsError(f"{name} must be at most {MAX_SECONDS:.0f} seconds, got {text!r}")
    return value


def _flag(value: str | None, *, default: bool) -> bool:
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"expected a yes/no flag, got {value!r}")


def _service_area(frame: str | None, outline_file: str | None) -> ServiceArea:
    """Kupang's land by default; SERVICE_AREA alone a rectangle; SERVICE_AREA_FILE a city's own
    outline (GeoJSON), framed by SERVICE_AREA when both are set."""
    bounds = _rectangle(frame) if frame else None
    if outline_file:
        try:
            return service_area_from_file(Path(outline_file), bounds)
        except (OSError, ValueError, KeyError, TypeError, AttributeError, ShapelyError) as exc:
            raise SettingsError(f"SERVICE_AREA_FILE is not a readable GeoJSON polygon: {exc}") from exc
    return kupang_service_area() if bounds is None else ServiceArea(bounds)


def _rectangle(text: str) -> BoundingBox:
    try:
        min_lat, min_lon, max_lat, max_lon = (float(part) for part in text.split(","))
        if not all(math.isfinite(part) for part in (min_lat, min_lon, max_lat, max_lon)):
            raise ValueError("not finite")
    except ValueError as exc:
        raise SettingsError(f"SERVICE_AREA must be 'minLat,minLon,maxLat,maxLon', got {text!r}") from exc
    box = BoundingBox(min_lat, min_lon, max_lat, max_lon)
    if not box.is_valid() or min_lat == max_lat or min_lon == max_lon:
        raise SettingsError(f"SERVICE_AREA is not a valid rectangle: {text!r}")
    return box


def _public_base_url(text: str | None) -> str | None:
    if not text:
        return None
    parts = urlsplit(text)
    if parts.scheme not in {"http", "https"} or not parts.netloc or parts.query or parts.fragment:
        raise SettingsError(
            f"PUBLIC_BASE_URL must be an http(s) address such as https://sigap.kupangkota.go.id, got {text!r}"
        )
    return text.rstrip("/")


MIN_SECRET_LENGTH = 32
PLACEHOLDER_SECRETS = {"changeme", "change-me", "secret", "development", "please-change-me"}


def _jwt_secret(value: str | None, *, production: bool) -> str:
    """Production needs a real shared secret; development makes a random one per process
    (set JWT_SECRET to share sessions between several development processes)."""
    if not value:
        if production:
            raise SettingsError("JWT_SECRET must be set in production (32+ random characters)")
        return secrets.token_urlsafe(32)
    if len(value) < MIN_SECRET_LENGTH or value.lower() in PLACEHOLDER_SECRETS:
        raise SettingsError(f"JWT_SECRET must be at least {MIN_SECRET_LENGTH} random characters")
    return value


def _gateway_token(value: str | None) -> str | None:
    """Whoever holds it may name any client address: as hard to guess as the signing key."""
    if value and (len(value) < MIN_SECRET_LENGTH or value.lower() in PLACEHOLDER_SECRETS):
        raise SettingsError(f"GATEWAY_TOKEN must be at least {MIN_SECRET_LENGTH} random characters")
    return value or None


def _positive(env: dict[str, str], name: str, default: N, kind: type[N]) -> N:
    text = env.get(name)
    if not text:
        return default
    value = _number(name, text, kind)
    if value <= 0:
        raise SettingsError(f"{name} must be positive, got {text!r}")
    return value


# The older names of OUTBOUND_ALLOW_PRIVATE, still read (in the same form) and added to it: each
# once allowed one channel's requests only. WEB_PUSH_ALLOWED_HOSTS was for development and tests.
OUTBOUND_SETTINGS = ("OUTBOUND_ALLOW_PRIVATE", "WEBHOOK_ALLOW_PRIVATE", "WEB_PUSH_ALLOWED_HOSTS")


def _outbound_addresses(env: dict[str, str], *, production: bool) -> OutboundPolicy:
    policy = OutboundPolicy()
    for name in OUTBOUND_SETTINGS:
        text = env.get(name, "").strip()
        if not text:
            continue
        if production and name == "WEB_PUSH_ALLOWED_HOSTS":
            raise SettingsError("WEB_PUSH_ALLOWED_HOSTS is for development and tests, never production")
        try:
            policy |= OutboundPolicy.parse(text)
        except ValueError as exc:
            raise SettingsError(
                f"{name} must be 1 or a list of networks (CIDR), addresses or localhost: {exc}"
            ) from exc
    return policy


def _hosts(text: str | None) -> tuple[str, ...]:
    if not text:
        return Settings.allowed_hosts
    return tuple(host.strip() for host in text.split(",") if host.strip())


def _web_push(env: dict[str, str], environment: str) -> WebPushConfig:
    try:
        return web_push_config(env, environment)
    except VapidKeyError as exc:
        raise SettingsError(str(exc)) from exc


def _rate_limits(env: dict[str, str]) -> dict[str, str]:
    """RATE_LIMIT_FILE_REPORT="10/minute;100/hour", RATE_LIMIT_SIGN_IN=..."""
    limits: dict[str, str] = {}
    for name in DEFAULT_RATE_LIMITS:
        text = env.get(f"RATE_LIMIT_{name.upper()}")
        if text:
            try:
                limits[name] = parse_rate_limit(text)
            except ValueError as exc:
                raise SettingsError(f"RATE_LIMIT_{name.upper()} is not a rate limit: {text!r}") from exc
    return limits
