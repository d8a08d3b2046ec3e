"""`python -m tests.crashing_server serve`: the real server, except that its relay kills the process
right after a commit, before publishing, to prove that a restarted relay publishes what was
committed. Test-only by construction: production code has no switch that does this."""

from __future__ import annotations

import os
import signal
import sys

import server.live.service as live_service
from realtime.relay import Relay
from server.cli import main


class CrashingRelay(Relay):
    def committed(self, event_id: int) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


if __name__ == "__main__":
    live_service.Relay = CrashingRelay  # type: ignore[misc]  # one worker: this process serves
    sys.exit(main())
