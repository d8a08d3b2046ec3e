"""What one live connection may hold, and what this process's connections hold now."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class ConnectionLimits:
    init_timeout: float = 10.0
    keepalive: float = 12.0
    send_queue: int = 512
    max_operations: int = 100


@dataclass
class ConnectionStats:
    connections: int = 0
    operations: int = 0
    dropped: int = 0
