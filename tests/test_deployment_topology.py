"""docker-compose.yml (production, Docker) and the loopback script (one machine, no Docker) describe
the same services, ports, dependencies and replicas: federation/topology.py is what both follow."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from federation.topology import PHOTOS, SERVICES, Service
from tests.databases import service_missing

REPO = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())["services"]
LONG_RUNNING = [service for service in SERVICES if service.port is not None]


def compose_ports(definition: dict[str, Any]) -> set[int]:
    """The ports a compose service listens on: exposed, or the container side of a published one."""
    exposed = {int(port) for port in definition.get("expose", ())}
    published = {int(str(mapping).rsplit(":", 1)[-1]) for mapping in definition.get("ports", ())}
    return exposed | published


def test_same_services() -> None:
    assert set(COMPOSE) == {service.name for service in SERVICES}


@pytest.mark.parametrize("service", SERVICES, ids=lambda s: s.name)
def test_same_ports_dependencies_and_replicas(service: Service) -> None:
    definition = COMPOSE[service.name]

    assert compose_ports(definition) == ({service.port} if service.port else set())
    assert set(definition.get("depends_on", {})) == set(service.depends_on)
    assert definition.get("deploy", {}).get("replicas", 1) == service.replicas
    if "PORT" in definition.get("environment", {}):
        assert int(definition["environment"]["PORT"]) == service.port


@pytest.mark.parametrize("service", LONG_RUNNING, ids=lambda s: s.name)
def test_long_running_services_are_health_checked_and_waited_for(service: Service) -> None:
    definition = COMPOSE[service.name]

    assert definition["healthcheck"]["test"]
    if service.health_path:
        assert service.health_path in " ".join(definition["healthcheck"]["test"])
    for dependency, condition in definition.get("depends_on", {}).items():
        expected = "service_completed_successfully" if dependency == "migrate" else "service_healthy"
        assert condition == {"condition": expected}


def test_only_the_gateway_is_published() -> None:
    assert [name for name, definition in COMPOSE.items() if definition.get("ports")] == ["gateway"]


def test_secrets_are_required_variables_without_defaults() -> None:
    text = (REPO / "docker-compose.yml").read_text()

    for secret in (
        "POSTGRES_PASSWORD",
        "REDIS_PASSWORD",
        "GATEWAY_TOKEN",
        "JWT_SECRET",
        "S3_SECRET_ACCESS_KEY",
    ):
        uses = re.findall(r"\$\{" + secret + r"([^}]*)\}", text)
        assert uses, secret
        assert all(use.startswith(":?") for use in uses), f"{secret} must be required: {uses}"
    for definition in COMPOSE.values():
        for key, value in dict(definition.get("environment", {})).items():
            if "PASSWORD" in key or "TOKEN" in key:
                assert re.fullmatch(r"\$\{\w+:\?[^}]*\}", value), f"{key} must come from a required variable"


def test_data_lives_in_named_volumes() -> None:
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text())

    assert set(compose["volumes"]) == {"postgres-data", "redis-data", "photo-data"}
    assert "postgres-data:/var/lib/postgresql/data" in COMPOSE["postgres"]["volumes"]
    assert "redis-data:/data" in COMPOSE["redis"]["volumes"]


def test_subgraphs_run_in_production_and_never_migrate_on_their_own() -> None:
    for name in ("directory", "reports"):
        environment = COMPOSE[name]["environment"]
        command = COMPOSE[name]["command"]

        assert command[-2:] == ["--subgraph", name]
        assert environment["SIGAP_ENV"] == "production"
        assert environment["MIGRATE_ON_START"] == "false"


def required_variables() -> set[str]:
    return set(re.findall(r"\$\{(\w+):\?", (REPO / "docker-compose.yml").read_text()))


def test_the_readme_command_sets_every_required_variable() -> None:
    readme = (REPO / "README.md").read_text()
    command = next(line for line in readme.splitlines() if line.endswith("docker compose up -d"))

    assert {name for name in required_variables() if f"{name}=" not in command} == set()


def compose_command() -> list[str]:
    """`docker compose` (v2) or `docker-compose` (v1): both check a file without a container engine."""
    if shutil.which("docker"):
        probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)  # noqa: S607
        if probe.returncode == 0:
            return ["docker", "compose"]
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    service_missing("docker compose (apt-get install docker-compose)", FileNotFoundError("docker-compose"))
    raise AssertionError("unreachable")


def test_compose_config_is_clean_with_the_required_variables_and_refused_without() -> None:
    command = [*compose_command(), "-f", str(REPO / "docker-compose.yml"), "config", "-q"]
    secrets = {name: "x" * 40 for name in required_variables()}

    given = {**os.environ, **secrets}
    clean = subprocess.run(command, env=given, capture_output=True, text=True, check=False)  # noqa: S603
    missing = {**os.environ, **secrets}
    del missing["JWT_SECRET"]
    refused = subprocess.run(command, env=missing, capture_output=True, text=True, check=False)  # noqa: S603

    assert clean.returncode == 0, clean.stderr
    assert refused.returncode != 0
    assert "set JWT_SECRET" in refused.stderr


def test_photos_live_in_object_storage_shared_by_the_replicas() -> None:
    shared = COMPOSE["reports"]["environment"]

    assert shared["PHOTO_STORAGE"] == "s3"
    assert shared["S3_ENDPOINT_URL"] == f"http://photos:{PHOTOS.port}"
    assert "photo-data:/data" in COMPOSE["photos"]["volumes"]
