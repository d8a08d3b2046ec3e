"""BENCH_BASELINE=<checkout> for bench/federation.py: another checkout's code (main's worktree, say)
measured in the same rounds as this one's. Its embedded server, reports subgraph and gateway run
beside this checkout's, on the same database, Redis, photo storage and directory subgraph: on a
shared machine, back-to-back runs swing more than most changes move the figures."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from federation.loopback import RunningTopology, _answers_200, _gateway_command, _service_environment
from federation.topology import REPORTS
from tests.processes import running_process
from tests.server_process import free_port, sigap_server


@dataclass
class Served:
    url: str
    processes: dict[str, int]  # name -> pid of each process tree serving it


@contextmanager
def baseline(
    checkout: Path, federated: RunningTopology, embedded_env: dict[str, str], folder: Path
) -> Iterator[tuple[Served, Served]]:
    """The baseline's embedded server and gateway (in front of its own reports subgraph)."""
    python = str(checkout / ".venv" / "bin" / "python")
    code = {"PYTHONPATH": str(checkout)}
    with ExitStack() as stack:
        embedded = stack.enter_context(sigap_server(folder, checkout=checkout, **embedded_env))
        reports_port = free_port()
        reports = stack.enter_context(
            running_process(
                [python, "-m", "server.cli", "serve", "--subgraph", REPORTS.name, "--workers", "1"],
                folder / "baseline-reports.log",
                ready=lambda: _answers_200(f"http://127.0.0.1:{reports_port}/health"),
                what="the baseline's reports subgraph",
                env={**_service_environment(federated, reports_port), **code},
                start_timeout=60,
                cwd=checkout,
            )
        )
        gateway_port = free_port()
        _, environment = _gateway_command(federated)
        gateway_dir = checkout / "gateway"
        gateway = stack.enter_context(
            running_process(
                [str(gateway_dir / "node_modules" / ".bin" / "hive-gateway"), "supergraph", "-c",
                 "gateway.config.mjs", "--host", "127.0.0.1", "--port", str(gateway_port)],
                folder / "baseline-gateway.log",
                ready=lambda: _answers_200(f"http://127.0.0.1:{gateway_port}/healthcheck"),
                what="the baseline's gateway",
                env={
                    **environment,
                    "SIGAP_SUPERGRAPH": str(gateway_dir / "supergraph.graphql"),
                    "SIGAP_REPORTS_URL": f"http://127.0.0.1:{reports_port}/graphql",
                },
                start_timeout=60,
                cwd=gateway_dir,
            )
        )  # fmt: skip
        yield (
            Served(embedded.url + "/graphql", {"embedded": embedded.process.pid}),
            Served(
                f"http://127.0.0.1:{gateway_port}/graphql",
                {"gateway": gateway.pid, REPORTS.name: reports.pid},
            ),
        )
