"""The federated deployment's services and ports: what docker-compose.yml describes for Docker and
what `python -m federation.loopback` starts as processes on one machine (a test checks they agree)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Service:
    name: str
    port: int | None  # None for a one-off job
    depends_on: tuple[str, ...] = ()
    replicas: int = 1
    health_path: str | None = None  # HTTP health endpoint, for services of ours


POSTGRES = Service("postgres", 5432)
REDIS = Service("redis", 6379)
# S3-compatible object storage for photos, shared by every reports replica.
PHOTOS = Service("photos", 9000)
# Migrates, loads the launch directory and makes the photo bucket once, before the replicas start
# (they never migrate).
MIGRATE = Service("migrate", None, depends_on=("postgres", "photos"))
DIRECTORY = Service("directory", 4001, depends_on=("postgres", "migrate"), health_path="/ready")
REPORTS = Service(
    "reports", 4002, depends_on=("postgres", "redis", "photos", "migrate"), replicas=2, health_path="/ready"
)
GATEWAY = Service("gateway", 4000, depends_on=("directory", "reports"), health_path="/readiness")

SERVICES = (POSTGRES, REDIS, PHOTOS, MIGRATE, DIRECTORY, REPORTS, GATEWAY)
PHOTO_BUCKET = "sigap-photos"
SUBGRAPH_SERVICES = (DIRECTORY, REPORTS)


def subgraph_url(service: Service, host: str = "127.0.0.1", port: int | None = None) -> str:
    return f"http://{host}:{port or service.port}/graphql"
