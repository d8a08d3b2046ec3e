"""The README, and the first-queries guide it links, run as written: against a fresh `sigap serve`
process, in the document's order, every GraphQL operation of its ```graphql blocks is executed, and
every ```sh block that talks to the server (curl, gql-cli or `sigap create-admin`) is run by bash from
the repository's root, with only the server's address replaced. Blocks that start other things
(make, docker, benchmarks) are not run here.

Operations run with the staff token of the document's own `signIn` once it has run, as the README says
to send it. Subscriptions must be taken by the server (it holds a subscriber for them); the
streaming shell commands (`curl -N`, `gql-cli`) must print a report filed while they listen."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import graphql
import httpx
import pytest
from websockets.sync.client import connect

from tests.live_clients import file_report_http, live_stats, wait_until
from tests.server_process import REPO, RunningServer, sigap_server

README = REPO / "README.md"
DOCUMENTED_URL = "http://127.0.0.1:8000"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.MULTILINE | re.DOTALL)


@dataclass
class Block:
    language: str
    text: str
    line: int

    @property
    def commands(self) -> str:
        return "\n".join(line.split("#", 1)[0] for line in self.text.splitlines())

    @property
    def talks_to_the_server(self) -> bool:
        return any(client in self.commands for client in ("curl ", "gql-cli ", "sigap create-admin"))

    @property
    def streams(self) -> bool:
        return "curl -N" in self.text or "gql-cli" in self.text


def readme_blocks(document: Path = README) -> list[Block]:
    text = document.read_text(encoding="utf-8")
    return [
        Block(match[1], match[2], text.count("\n", 0, match.start()) + 1) for match in FENCE.finditer(text)
    ]


@dataclass
class ReadmeWalk:
    server: RunningServer
    token: str | None = None
    ran: list[str] = field(default_factory=list)

    def script(self, block: Block) -> str:
        websocket_url = self.server.url.replace("http://", "ws://", 1)
        return block.text.replace(DOCUMENTED_URL, self.server.url).replace(
            DOCUMENTED_URL.replace("http://", "ws://", 1), websocket_url
        )

    def run(self, block: Block) -> None:
        if block.language == "graphql":
            for operation in operations(block.text):
                self.operation(operation, block)
        elif block.language == "sh" and block.talks_to_the_server:
            self.streaming_command(block) if block.streams else self.commands(block)

    def operation(self, operation: graphql.DocumentNode, block: Block) -> None:
        definition = operation.definitions[-1]
        assert isinstance(definition, graphql.OperationDefinitionNode)
        source = graphql.print_ast(operation)
        if definition.operation == graphql.OperationType.SUBSCRIPTION:
            self.subscription(source, block)
        else:
            headers = {"authorization": f"Bearer {self.token}"} if self.token else {}
            answer = httpx.post(
                self.server.url + "/graphql", json={"query": source}, headers=headers, timeout=15
            )
            body = answer.json()
            assert_no_errors(body, f"README line {block.line}: {source}")
            session = (body["data"].get("signIn") or {}).get("session")
            if session:
                self.token = session["accessToken"]
        self.ran.append(source)

    def subscription(self, source: str, block: Block) -> None:
        """Taken when the server holds a subscriber for it; an invalid one is refused instead."""
        before = live_stats(self.server.url)["members"]
        url = self.server.url.replace("http://", "ws://", 1) + "/graphql"
        with connect(url, subprotocols=["graphql-transport-ws"]) as socket:  # type: ignore[list-item]
            socket.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(socket.recv(timeout=10))["type"] == "connection_ack"
            socket.send(json.dumps({"id": "1", "type": "subscribe", "payload": {"query": source}}))
            wait_until(
                lambda: live_stats(self.server.url)["members"] > before or refused(socket),
                what=f"README line {block.line}: the server holding {source}",
            )
            assert not refused(socket), f"README line {block.line}: {source} refused"

    def commands(self, block: Block) -> None:
        done = subprocess.run(  # noqa: S603 - bash running the README's own commands
            ["/bin/bash", "-euo", "pipefail", "-c", self.script(block)],
            cwd=REPO, env=self.server.environment, capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
        assert done.returncode == 0, f"README line {block.line}:\n{done.stdout}\n{done.stderr}"
        answers = list(json_documents(done.stdout))
        curls = [line for line in block.text.splitlines() if line.startswith("curl ")]
        csv_exports = [line for line in curls if "/exports/reports.csv" in line]
        assert len(answers) >= len(curls) - len(csv_exports)
        if csv_exports:  # a CSV export answers its header line, then the rows
            assert done.stdout.startswith("id,"), f"README line {block.line}:\n{done.stdout[:500]}"
        for answer in answers:
            assert_no_errors(answer, f"README line {block.line}")
        self.ran.append(block.text)

    def streaming_command(self, block: Block) -> None:
        before = live_stats(self.server.url)["members"]
        with listening(self.script(block), self.server.environment) as output:
            # A command-line client (gql-cli is a Python program) starting while the suite fills
            # both cores took over 10 s to subscribe in CI; the wait ends as soon as it has.
            wait_until(
                lambda: live_stats(self.server.url)["members"] > before or output.ended(),
                timeout=60,
                what=f"README line {block.line}: the command subscribed",
            )
            assert not output.ended(), f"README line {block.line} ended early:\n{output.text}"
            filed = file_report_http(self.server.url, f"Dilihat dari README baris {block.line}")
            wait_until(
                lambda: filed["code"] in output.text,
                timeout=30,
                what=f"README line {block.line}: the event shown",
            )
        # Stopped as with Ctrl-C, the client's subscription must end on the server too. Waiting for
        # it also keeps the next command's count honest: a departure noticed while that command
        # subscribes would cancel out its arrival.
        wait_until(
            lambda: live_stats(self.server.url)["members"] <= before,
            timeout=30,
            what=f"README line {block.line}: the server letting go of the stopped command",
        )
        self.ran.append(block.text)


def operations(text: str) -> Iterator[graphql.DocumentNode]:
    document = graphql.parse(text)
    fragments = [d for d in document.definitions if isinstance(d, graphql.FragmentDefinitionNode)]
    for definition in document.definitions:
        if isinstance(definition, graphql.OperationDefinitionNode):
            yield graphql.DocumentNode(definitions=(*fragments, definition))


def assert_no_errors(body: dict[str, Any], where: str) -> None:
    assert "errors" not in body, f"{where}: {body}"
    for payload in (body.get("data") or {}).values():
        if isinstance(payload, dict) and "errors" in payload:
            assert payload["errors"] == [], f"{where}: {payload}"


def json_documents(text: str) -> Iterator[dict[str, Any]]:
    decoder, position = json.JSONDecoder(), 0
    while (start := text.find("{", position)) != -1:
        document, position = decoder.raw_decode(text, start)
        yield document


def refused(socket: Any) -> bool:
    try:
        message = json.loads(socket.recv(timeout=0))
    except TimeoutError:
        return False
    return bool(message["type"] in {"error", "complete"})


@dataclass
class Output:
    text: str = ""
    process: subprocess.Popen[str] | None = None

    def ended(self) -> bool:
        return self.process is not None and self.process.poll() is not None


@contextmanager
def listening(script: str, environment: dict[str, str]) -> Iterator[Output]:
    """Run a command that streams until stopped; its output so far is in the yielded `Output`."""
    process = subprocess.Popen(  # noqa: S603 - bash running the README's own command
        ["/bin/bash", "-c", script], cwd=REPO, env=environment, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    output = Output(process=process)

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            output.text += line

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        yield output
    finally:
        os.killpg(process.pid, signal.SIGTERM)  # bash and the client it started, as Ctrl-C would
        process.wait(timeout=10)
        reader.join(timeout=10)
        assert process.stdout is not None
        process.stdout.close()


@pytest.mark.parametrize("document", [README, REPO / "docs" / "first-queries.md"], ids=lambda p: p.name)
def test_the_readme_runs_as_written(document: Path, tmp_path: Path) -> None:
    blocks = readme_blocks(document)
    with sigap_server(tmp_path, PHOTO_DIR=str(tmp_path / "photos")) as server:
        walk = ReadmeWalk(server)
        for block in blocks:
            walk.run(block)

    expected = [
        *(graphql.print_ast(op) for b in blocks if b.language == "graphql" for op in operations(b.text)),
        *(b.text for b in blocks if b.language == "sh" and b.talks_to_the_server),
    ]
    assert sorted(walk.ran) == sorted(expected)  # everything runnable ran: nothing was skipped
    # Where the document signs in, that worked, and the examples after it ran with the token.
    assert (walk.token is not None) == any("signIn(" in ran for ran in expected)
