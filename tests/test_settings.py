"""Settings come from the environment, and bad values stop start-up with a clear message."""

from __future__ import annotations

import pytest

from resolvers.geo import BoundingBox
from resolvers.service_area import ServiceArea, kupang_service_area
from server.settings import Settings, SettingsError


def test_defaults_are_the_embedded_development_setup() -> None:
    settings = Settings.from_env({})

    assert settings.database_url.startswith("sqlite://")
    assert settings.redis_url is None
    assert (settings.host, settings.port) == ("127.0.0.1", 8000)
    assert settings.service_area == kupang_service_area()
    assert settings.graphiql
    assert settings.seed_on_start


def test_production_turns_off_graphiql_and_seeding() -> None:
    settings = Settings.from_env(
        {"SIGAP_ENV": "production", "DATABASE_URL": "postgres://db/sigap", "JWT_SECRET": "k" * 40}
    )

    assert not settings.graphiql
    assert not settings.seed_on_start


def test_environment_overrides() -> None:
    settings = Settings.from_env(
        {
            "HOST": "0.0.0.0",
            "PORT": "9000",
            "SERVICE_AREA": "-6.4,106.6,-6.0,107.0",
            "REDIS_URL": "redis://r:6379/0",
        }
    )

    assert (settings.host, settings.port, settings.redis_url) == ("0.0.0.0", 9000, "redis://r:6379/0")
    assert settings.service_area == ServiceArea(BoundingBox(-6.4, 106.6, -6.0, 107.0))


@pytest.mark.parametrize(
    "env",
    [
        {"PORT": "eighty"},
        {"SERVICE_AREA": "1,2,3"},
        {"SERVICE_AREA": "5,0,1,1"},
        {"SIGAP_ENV": "staging"},
        {"GRAPHIQL": "maybe"},
        {"SIGAP_ENV": "production"},  # no JWT_SECRET
        {"JWT_SECRET": "changeme"},
        {"JWT_SECRET": "short"},
        {"MAX_BODY_BYTES": "lots"},
        {"MAX_BODY_BYTES": "0"},
        {"STATEMENT_TIMEOUT": "-1"},
        {"QUERY_POINTS_PER_HOUR": "1.5"},
        {"RATE_LIMIT_FILE_REPORT": "many per minute"},
    ],
)
def test_bad_values_are_refused(env: dict[str, str]) -> None:
    with pytest.raises(SettingsError):
        Settings.from_env(env)


def test_development_makes_a_random_secret_per_process() -> None:
    assert Settings.from_env({}).jwt_secret != Settings.from_env({}).jwt_secret
    assert "jwt_secret" not in repr(Settings.from_env({}))


def test_one_subgraph_with_replicas_and_no_migration_on_start() -> None:
    settings = Settings.from_env(
        {
            "SIGAP_SUBGRAPH": "reports",
            "WORKERS": "2",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "MIGRATE_ON_START": "false",
        }
    )

    assert settings.subgraph == "reports"
    assert settings.workers == 2
    assert not settings.migrate_on_start
    assert Settings.from_env({}).subgraph is None


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SIGAP_SUBGRAPH": "billing"}, "SIGAP_SUBGRAPH must be one of directory, reports"),
        ({"WORKERS": "0"}, "WORKERS must be 1 or more"),
        ({"WORKERS": "many"}, "WORKERS must be a number"),
    ],
)
def test_bad_federation_settings(env: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env(env)


def test_photo_storage_settings() -> None:
    local = Settings.from_env({"PHOTO_DIR": "/srv/sigap/photos"})
    s3 = Settings.from_env(
        {"PHOTO_STORAGE": "s3", "S3_BUCKET": "kupang-photos", "S3_ENDPOINT_URL": "http://minio:9000"}
    )

    assert (local.photo_storage, str(local.photo_dir)) == ("local", "/srv/sigap/photos")
    assert (s3.photo_storage, s3.s3_bucket, s3.s3_endpoint_url) == (
        "s3",
        "kupang-photos",
        "http://minio:9000",
    )
    with pytest.raises(SettingsError, match="S3_BUCKET"):
        Settings.from_env({"PHOTO_STORAGE": "s3"})
    with pytest.raises(SettingsError, match="PHOTO_STORAGE"):
        Settings.from_env({"PHOTO_STORAGE": "ftp"})


def test_limits_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            "SIGAP_ENV": "production",
            "JWT_SECRET": "j" * 40,
            "ALLOWED_HOSTS": "api.sigap.example, localhost",
            "MAX_BODY_BYTES": "65536",
            "STATEMENT_TIMEOUT": "2.5",
            "QUERY_POINTS_PER_HOUR": "800",
            "RATE_LIMIT_FILE_REPORT": "3/minute;20/hour",
            "RATE_LIMIT_SIGN_IN": "5/minute",
        }
    )

    assert settings.allowed_hosts == ("api.sigap.example", "localhost")
    assert (settings.max_body_bytes, settings.statement_timeout_s) == (65536, 2.5)
    assert settings.rate_limits == {"file_report": "3/minute;20/hour", "sign_in": "5/minute"}
    assert settings.operation_limits.production
    assert settings.operation_limits.points_per_hour == 800


def test_limit_defaults() -> None:
    settings = Settings.from_env({})

    assert settings.allowed_hosts == ("localhost", "127.0.0.1")
    assert (settings.max_body_bytes, settings.statement_timeout_s) == (2**20, 5.0)
    assert settings.operation_limits.points_per_hour == 5000
    assert not settings.operation_limits.production


NOT_FINITE = ["nan", "NaN", "inf", "-inf", "Infinity", "1e309"]
NUMBER_SETTINGS = [
    "LIVE_KEEPALIVE", "LIVE_INIT_TIMEOUT", "STATEMENT_TIMEOUT", "JOBS_INTERVAL_SECONDS",
    "LIVE_SEND_QUEUE", "LIVE_MAX_OPERATIONS", "LIVE_MAX_CONNECTIONS_PER_CLIENT", "MAX_BODY_BYTES",
    "QUERY_POINTS_PER_HOUR", "PORT", "WORKERS",
]  # fmt: skip


@pytest.mark.parametrize("name", NUMBER_SETTINGS)
@pytest.mark.parametrize("text", NOT_FINITE)
def test_numbers_that_are_not_finite_are_refused(name: str, text: str) -> None:
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({name: text})


@pytest.mark.parametrize("text", ["nan,123.5,-10.1,123.7", "-10.3,123.5,inf,123.7"])
def test_a_service_area_that_is_not_finite_is_refused(text: str) -> None:
    with pytest.raises(SettingsError, match="SERVICE_AREA"):
        Settings.from_env({"SERVICE_AREA": text})


def test_timeouts_longer_than_a_day_are_refused() -> None:
    with pytest.raises(SettingsError, match="STATEMENT_TIMEOUT must be at most 86400 seconds"):
        Settings.from_env({"STATEMENT_TIMEOUT": "1e300"})


@pytest.mark.parametrize(
    ("env", "address_base"),
    [
        ({}, "http://127.0.0.1:8000/photos"),
        ({"HOST": "0.0.0.0", "PORT": "9000"}, "http://localhost:9000/photos"),
        ({"PUBLIC_BASE_URL": "https://sigap.kupangkota.go.id/"}, "https://sigap.kupangkota.go.id/photos"),
        (
            {"PUBLIC_BASE_URL": "https://sigap.kupangkota.go.id/api", "PHOTO_URL_BASE": "/foto"},
            "https://sigap.kupangkota.go.id/api/foto",
        ),
        ({"PHOTO_URL_BASE": "https://cdn.kupangkota.go.id/foto"}, "https://cdn.kupangkota.go.id/foto"),
    ],
)
def test_photo_addresses_are_absolute(env: dict[str, str], address_base: str) -> None:
    assert Settings.from_env(env).photo_address_base == address_base


@pytest.mark.parametrize("value", ["sigap.kupangkota.go.id", "ftp://x", "https://x/?a=1", "https://"])
def test_a_public_base_url_that_is_not_an_address_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="PUBLIC_BASE_URL"):
        Settings.from_env({"PUBLIC_BASE_URL": value})
