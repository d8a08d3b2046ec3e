"""The periodic jobs (resolvers.service_levels, and yesterday's open-data file of server/open_data.py)
inside `sigap serve`: a background task started by the lifespan, one run every JOBS_INTERVAL_SECONDS.
Every process may run it; the database makes each escalation and each automatic close happen once,
and a day's file is written only while it is missing. `sigap jobs run-once` does one run, for cron.
Each run here also applies the deliveries' retention rule (server.deliveries.purge_old_deliveries)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from zoneinfo import ZoneInfo

from resolvers.service_levels import run_periodic_jobs
from resolvers.timeline import utcnow
from server.open_data import publish_yesterday
from server.settings import Settings

Purge = Callable[[], Awaitable[int]]

log = logging.getLogger("sigap.jobs")


async def publish_open_data(settings: Settings) -> None:
    if settings.open_data_dir is None:
        return  # OPEN_DATA_DIR unset: this deployment publishes no files
    written = await publish_yesterday(settings.open_data_dir, ZoneInfo(settings.timezone), utcnow())
    if written:
        log.info("open data written: %s", ", ".join(path.name for path in written))


async def run_forever(settings: Settings, purge: Purge | None = None) -> None:
    interval_s = settings.jobs_interval_s
    while True:
        try:
            run = await run_periodic_jobs()
            if run.auto_closed or any(run.escalated.values()):
                log.info("periodic jobs: %s", run)
            await publish_open_data(settings)
            if purge is not None and (purged := await purge()):
                log.info("retention: deleted %d old delivery row(s)", purged)
        except Exception:  # a failed run (the database restarting...) must not end the loop
            log.exception("periodic jobs failed; retrying in %s s", interval_s)
        await asyncio.sleep(interval_s)


@contextlib.asynccontextmanager
async def periodic_jobs(settings: Settings, purge: Purge | None = None) -> AsyncIterator[None]:
    """Run the jobs (and `purge`, the retention rule) in the background while the block runs; off
    when the interval is 0."""
    if settings.jobs_interval_s <= 0:
        yield
        return
    task = asyncio.create_task(run_forever(settings, purge), name="sigap-periodic-jobs")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
