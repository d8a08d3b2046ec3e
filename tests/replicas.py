"""The replicas behind one port (uvicorn workers sharing its socket), seen from /proc: which worker
holds which connection, so that a test can stop the very replica serving a client."""

from __future__ import annotations

import os
from pathlib import Path

ESTABLISHED = "01"


def workers(supervisor_pid: int) -> list[int]:
    """The worker processes of a `sigap serve --workers N` supervisor (multiprocessing's spawned
    children; its resource tracker is not one)."""
    children = Path(f"/proc/{supervisor_pid}/task/{supervisor_pid}/children").read_text().split()
    return [int(pid) for pid in children if b"spawn_main" in _cmdline(int(pid))]


def connections_by_worker(supervisor_pid: int, port: int) -> dict[int, set[int]]:
    """For each worker, the socket inodes of its established connections accepted on `port`."""
    accepted = _established_inodes(port)
    found: dict[int, set[int]] = {}
    for pid in workers(supervisor_pid):
        found[pid] = {inode for inode in _socket_inodes(pid) if inode in accepted}
    return found


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except FileNotFoundError:
        return b""


def _established_inodes(port: int) -> set[int]:
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local_port = int(fields[1].rsplit(":", 1)[1], 16)
            if local_port == port and fields[3] == ESTABLISHED:
                inodes.add(int(fields[9]))
    return inodes


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    folder = f"/proc/{pid}/fd"
    for fd in os.listdir(folder):
        try:
            target = os.readlink(f"{folder}/{fd}")
        except FileNotFoundError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes
