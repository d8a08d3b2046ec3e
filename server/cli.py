"""The `sigap` command: serve, migrate, seed, jobs, deliveries, and the city's data (admins, area
outlines)."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from models.seed import load_seed
from realtime.bus import BusUnavailable, open_bus
from realtime.outbox import on_commit
from realtime.relay import Relay
from resolvers.accounts import AccountInput, create_city_admin
from resolvers.area_outlines import import_outlines, read_outline_file
from resolvers.errors import DomainError
from resolvers.service_levels import JobRun, run_periodic_jobs
from resolvers.vapid import generate_private_key, public_key_of
from schema.subgraph_names import SUBGRAPHS
from server.database import apply_migrations, connect, disconnect
from server.observability.logs import configure_logging
from server.settings import Settings, SettingsError


async def _migrate(settings: Settings) -> None:
    await apply_migrations(settings.database_url)
    print(f"migrations applied to {settings.database_url.split('@')[-1]}")


async def _seed(settings: Settings) -> None:
    await apply_migrations(settings.database_url)
    await connect(settings.database_url)
    try:
        created = await load_seed()
    finally:
        await disconnect()
    print("seeded: " + ", ".join(f"{n} new {what}" for what, n in created.items()))
    await _ensure_photo_bucket(settings)


async def _ensure_photo_bucket(settings: Settings) -> None:
    """With S3 storage, the bucket the replicas share: made once here, like the migrations."""
    from resolvers.photo_storage import S3PhotoStorage
    from server.app import photo_storage_for  # the app's own choice of storage, imported only here

    storage = photo_storage_for(settings)
    if isinstance(storage, S3PhotoStorage):
        made = await storage.ensure_bucket()
        print(f"photo bucket {storage.bucket}: {'created' if made else 'already there'}")


async def _create_admin(settings: Settings, email: str, name: str) -> int:
    password = os.environ.get("SIGAP_ADMIN_PASSWORD") or getpass.getpass("Password for the city admin: ")
    await apply_migrations(settings.database_url)
    await connect(settings.database_url)
    try:
        user = await create_city_admin(AccountInput(name=name, email=email, password=password))
    except DomainError as exc:
        print("sigap: " + "; ".join(e.message_en for e in exc.errors), file=sys.stderr)
        return 2
    finally:
        await disconnect()
    print(f"city admin {user.email} created (id {user.id})")
    return 0


async def _import_outlines(settings: Settings, path: str, code_property: str) -> int:
    """`sigap areas import`: all the file's outlines or none, with every problem named."""
    try:
        text = await asyncio.to_thread(Path(path).read_text, encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"sigap: cannot read {path}: {exc}", file=sys.stderr)
        return 2
    try:
        checked = read_outline_file(text, settings.service_area.bounds, code_property)
    except DomainError as exc:
        return _refused(path, exc)
    await apply_migrations(settings.database_url)  # codes are the official ones from 0013 on
    await connect(settings.database_url)
    try:
        loaded = await import_outlines(checked)
    except DomainError as exc:
        return _refused(path, exc)
    finally:
        await disconnect()
    for outline in loaded:
        print(f"outline loaded: {outline.code} {outline.name} ({outline.level.lower()})")
    print(f"{len(loaded)} area outlines loaded from {path}")
    return 0


def _refused(path: str, refusal: DomainError) -> int:
    print(f"sigap: {path} refused, nothing changed:", file=sys.stderr)
    for error in refusal.errors:
        print(f"  {error.field}: {error.message_en}", file=sys.stderr)
    return 2


async def _run_jobs_once(settings: Settings) -> None:
    from server.jobs import publish_open_data  # the open-data writer uses the API's schema: load it only here

    await connect(settings.database_url)
    try:
        if settings.redis_url:
            run = await _run_jobs_and_publish(settings.redis_url, settings.event_channel)
        else:  # no bus the servers hear: their sweep publishes what the run wrote
            run = await run_periodic_jobs()
        print(f"periodic jobs: {run}")
        await publish_open_data(settings)
    finally:
        await disconnect()


async def _open_data(settings: Settings, day: str | None, month: str | None) -> int:
    from server.open_data import Period, write_period  # uses the API's schema: load it only here

    if settings.open_data_dir is None:
        print("sigap: set OPEN_DATA_DIR, the folder of the open-data files", file=sys.stderr)
        return 2
    zone = ZoneInfo(settings.timezone)
    try:
        period = (
            Period.day(date.fromisoformat(day), zone)
            if day
            else Period.month(date.fromisoformat(f"{month}-01"), zone)
        )
    except ValueError:
        print("sigap: --day takes YYYY-MM-DD and --month YYYY-MM", file=sys.stderr)
        return 2
    await connect(settings.database_url)
    try:
        written = await write_period(settings.open_data_dir, period)
    finally:
        await disconnect()
    for path in written:
        print(f"wrote {path}")
    return 0


async def _deliver_once(settings: Settings) -> None:
    from server.deliveries import run_deliveries_once  # webhooks' bodies use the API's schema

    await connect(settings.database_url)
    try:
        run = await run_deliveries_once(settings)
    finally:
        await disconnect()
    print(
        f"deliveries: {run.events} event(s) read, {run.attempted} delivery attempt(s), "
        f"{run.purged} old delivery row(s) deleted"
    )


async def _prepare_database_once(settings: Settings) -> None:
    """Before several workers start: migrate (and seed) here, once, so the workers never race
    each other to create the same tables."""
    if settings.migrate_on_start:
        await apply_migrations(settings.database_url)
    if settings.seed_on_start:
        await connect(settings.database_url)
        try:
            await load_seed()
        finally:
            await disconnect()


async def _run_jobs_and_publish(redis_url: str, channel: str) -> JobRun:
    """Subscribers hear of the run at once, not at a server's sweep."""
    bus = open_bus(redis_url, channel)
    relay = Relay(bus)
    try:
        with on_commit(relay.committed):
            run = await run_periodic_jobs()
        try:
            await relay.flush()
        except BusUnavailable as exc:
            print(f"sigap: events left for the servers to publish ({exc})", file=sys.stderr)
    finally:
        await bus.close()
    return run


def _serve(settings: Settings) -> None:
    import uvicorn

    from server.app import create_app

    options: dict[str, Any] = {
        "host": settings.host,
        "port": settings.port,
        "log_level": settings.log_level,
        "access_log": False,  # costs ~12% of throughput; the application logs what matters
        "log_config": None,  # uvicorn's loggers write through configure_logging's handler
        "ws_per_message_deflate": False,  # ~50 KiB of memory per socket, for little gain on small JSON
        "ws_max_size": 1024 * 1024,  # a GraphQL document is a few KiB; refuse megabyte frames
        "timeout_graceful_shutdown": 5,  # SSE streams never end by themselves
        # X-Forwarded-For is believed only from the proxies FORWARDED_ALLOW_IPS names (uvicorn would
        # otherwise believe any loopback peer); the gateway proves itself with GATEWAY_TOKEN instead.
        "proxy_headers": bool(settings.forwarded_allow_ips),
        "forwarded_allow_ips": settings.forwarded_allow_ips,
    }
    if settings.workers == 1:
        uvicorn.run(create_app(settings), **options)
    else:
        asyncio.run(_prepare_database_once(settings))
        os.environ["MIGRATE_ON_START"] = os.environ["SEED_ON_START"] = "false"
        # Worker processes share the listening socket and build their app from the environment,
        # which `main` has updated with the command line's options.
        if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            # prometheus-client's multiprocess mode: /metrics of any worker sums every worker's counts.
            os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="sigap-metrics-")
        uvicorn.run("server.app:app_from_env", factory=True, workers=settings.workers, **options)


def _print_vapid_keys() -> int:
    private_key = generate_private_key()
    print(f"VAPID_PRIVATE_KEY={private_key}")
    print(f"# public key (webPushPublicKey, applicationServerKey): {public_key_of(private_key)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="sigap", description="Sigap: citizen reports, live.")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the API (migrates, and seeds in development)")
    serve.add_argument("--subgraph", choices=SUBGRAPHS, help="serve one federated subgraph, behind a gateway")
    serve.add_argument("--workers", type=int, help="processes sharing the port (replicas); default 1")
    commands.add_parser("migrate", help="apply the versioned database migrations")
    commands.add_parser("seed", help="load Kupang's agencies, categories and areas (idempotent)")
    admin = commands.add_parser(
        "create-admin", help="create the first city admin (password from SIGAP_ADMIN_PASSWORD or a prompt)"
    )
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", required=True)
    exports = commands.add_parser("exports", help="files of public reports")
    exports_commands = exports.add_subparsers(dest="exports_command", required=True)
    open_data = exports_commands.add_parser(
        "open-data",
        help="write a day's or a month's public CSV and GeoJSON into OPEN_DATA_DIR, and its index",
    )
    period = open_data.add_mutually_exclusive_group(required=True)
    period.add_argument("--day", help="YYYY-MM-DD, the city's day")
    period.add_argument("--month", help="YYYY-MM")
    jobs = commands.add_parser("jobs", help="the periodic jobs (escalations, automatic closes)")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser(
        "run-once", help="run them once and exit (for cron); safe beside running servers"
    )
    areas = commands.add_parser("areas", help="the city's kecamatan and kelurahan")
    areas_commands = areas.add_subparsers(dest="areas_command", required=True)
    outlines = areas_commands.add_parser(
        "import", help="load area outlines from a GeoJSON FeatureCollection (all or none)"
    )
    outlines.add_argument("file", help="a GeoJSON FeatureCollection, one feature per area")
    outlines.add_argument(
        "--code-property", default="code", help="the feature property holding the area's code (default: code)"
    )
    deliveries = commands.add_parser("deliveries", help="outbound deliveries (webhooks, notifications)")
    deliveries_commands = deliveries.add_subparsers(dest="deliveries_command", required=True)
    deliveries_commands.add_parser(
        "run-once", help="plan deliveries for new events and send what is due, then exit; safe beside servers"
    )
    keys = commands.add_parser("keys", help="generate keys to put in the environment")
    keys_commands = keys.add_subparsers(dest="keys_command", required=True)
    keys_commands.add_parser(
        "vapid", help="a VAPID key pair for Web Push (VAPID_PRIVATE_KEY and its public key)"
    )
    args = parser.parse_args(argv)
    if args.command == "keys":  # needs no settings: it prints new keys
        return _print_vapid_keys()
    # Options given on the command line override the environment, for worker processes too.
    if getattr(args, "subgraph", None):
        os.environ["SIGAP_SUBGRAPH"] = args.subgraph
    if getattr(args, "workers", None) is not None:
        os.environ["WORKERS"] = str(args.workers)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"sigap: {exc}", file=sys.stderr)
        return 2
    configure_logging(settings)  # text or JSON (LOG_FORMAT), with request ids
    if args.command == "serve":
        _serve(settings)
    elif args.command == "migrate":
        asyncio.run(_migrate(settings))
    elif args.command == "jobs":
        asyncio.run(_run_jobs_once(settings))
    elif args.command == "areas":
        return asyncio.run(_import_outlines(settings, args.file, args.code_property))
    elif args.command == "deliveries":
        asyncio.run(_deliver_once(settings))
    elif args.command == "exports":
        return asyncio.run(_open_data(settings, args.day, args.month))
    elif args.command == "create-admin":
        return asyncio.run(_create_admin(settings, args.email, args.name))
    else:
        asyncio.run(_seed(settings))
    return 0


if __name__ == "__main__":
    sys.exit(main())
