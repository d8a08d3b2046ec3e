"""One HTTP client for the tests' plain requests to the processes they start.

`httpx.get(...)` and `httpx.post(...)` build a client, and with it an SSL context that loads
certifi's certificates, at every call: ~20 ms of CPU (50 ms on a loaded machine), which turned the
tests' 20-50 ms polls (a server starting, a condition awaited) into a busy core. This client is made
once. It keeps no connection alive: a server stopped, or restarted on the same port, never meets a
stale pooled connection, and threads sharing the client share no connection."""

from __future__ import annotations

import httpx

HTTP = httpx.Client(limits=httpx.Limits(max_keepalive_connections=0))
