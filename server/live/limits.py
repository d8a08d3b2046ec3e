"""What one live connection may hold, what one client may open, and what this process's
connections hold now."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class ConnectionLimits:
    init_timeout: float = 10.0
    keepalive: float = 12.0
    send_queue: int = 512
    max_operations: int = 100
    credentials_recheck: float = 5.0  # seconds between proofs of an open connection's credentials


@dataclass
class ConnectionStats:
    connections: int = 0
    operations: int = 0
    dropped: int = 0


@dataclass
class ClientConnections:
    """Open live connections per client address, websockets and SSE streams counted together:
    thousands of idle connections from one client are refused whichever transport it uses."""

    limit: int
    held: Counter[str] = field(default_factory=Counter)

    def admit(self, client: str) -> bool:
        if self.held[client] >= self.limit:
            return False
        self.held[client] += 1
        return True

    def release(self, client: str) -> None:
        self.held[client] -= 1
        if self.held[client] <= 0:
            del self.held[client]
