"""The periodic jobs (resolvers.service_levels) inside `sigap serve`: a background task started by
the lifespan, one run every JOBS_INTERVAL_SECONDS. Every process may run it; the database makes
each escalation and each automatic close happen once. `sigap jobs run-once` does one run, for cron."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from resolvers.service_levels import run_periodic_jobs

log = logging.getLogger("sigap.jobs")


async def run_forever(interval_s: float) -> None:
    while True:
        try:
            run = await run_periodic_jobs()
            if run.auto_closed or any(run.escalated.values()):
                log.info("periodic jobs: %s", run)
        except Exception:  # a failed run (the database restarting...) must not end the loop
            log.exception("periodic jobs failed; retrying in %s s", interval_s)
        await asyncio.sleep(interval_s)


@contextlib.asynccontextmanager
async def periodic_jobs(interval_s: float) -> AsyncIterator[None]:
    """Run the jobs in the background while the block runs; off when the interval is 0."""
    if interval_s <= 0:
        yield
        return
    task = asyncio.create_task(run_forever(interval_s), name="sigap-periodic-jobs")
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
