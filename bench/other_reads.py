"""Benchmark of the reads people make all day besides the first page, each against its plain-SQL
equivalent (bench/plain_endpoint.py) in the same run, uncached (`RESPONSE_CACHE=0`):

- `near`: `reports(first: 20, filter: {near: {lat, lon, radiusMeters: 1000}})`, anonymous, a
  different point for each request (200 points in the seeded area, in turn);
- `code`: `report(code:)`, anonymous, a different report each request (200 codes in turn);
- `agencyQueue`: the first 20 of an agency's open reports, as one of its officers (signed in);
- `myQueue`: the first 20 open reports assigned to that officer (signed in);
- `partner`: a partner key's 10 newest reports, each with its `timeline` and `comments`.

One PostgreSQL database of `--reports` reports; Sigap with its production settings and ten pooled
connections, driven by wrk (16 connections) after a 2 s warm-up, one read at a time, Sigap and
plain in turn. Before measuring, each pair must answer the first variant with the same reports.
Prints requests/s, p50/p99, the server's CPU per request (its process tree, from /proc) and the
ratio to plain.

    python -m bench.other_reads [--duration 5] [--connections 16] [--reports 10000] [--only near,code]
"""

from __future__ import annotations

import asyncio
import base64
import random
import secrets
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import orjson

from bench.databases import pg
from bench.read_path import Measured, Server, measure, stop
from bench.reports_page import WRK, free_port, load_arguments, prepare_database, start, start_sigap
from models import ApiKeyKind, Report, ReportStatus, Role, User
from resolvers.api_keys import create_api_key
from resolvers.identity import Principal, PrincipalKind
from resolvers.tokens import TokenSigner
from schema.ids import to_global_id
from server.database import connect, disconnect

NEAR = """query($lat: Float!, $lon: Float!) { reports(first: 20, filter: {near: {lat: $lat, lon: $lon,
  radiusMeters: 1000}}) { edges { node { id title status location { lat lon } createdAt
  category { code name } } } } }"""
BY_CODE = """query($code: String!) { report(code: $code) { id title status location { lat lon } createdAt
  category { code name } agency { code name } } }"""
AGENCY_QUEUE = """query($agency: ID!) { agencyQueue(agencyId: $agency, first: 20) { edges { node {
  id title status dueAt category { code } } } } }"""
MY_QUEUE = "{ myQueue(first: 20) { edges { node { id title status dueAt category { code } } } } }"
PARTNER = """{ reports(first: 10) { edges { node { id title timeline { kind createdAt }
  comments { body } } } } }"""
VARIANTS = 200


@dataclass
class Scene:
    """What the reads need from the seeded database: places, codes, an officer and a partner key."""

    points: list[tuple[float, float]]
    codes: list[str]
    agency_id: int
    officer_id: int
    officer_token: str
    partner_key: str
    dispatcher_token: str
    submitted: list[int]  # reports a status change can acknowledge, one per request


@dataclass
class Read:
    name: str
    query: str
    variables: Callable[[Scene, int], dict[str, Any]]  # the n-th variant's variables
    plain_path: Callable[[Scene, int], str]  # the n-th variant's plain URL path and query
    headers: Callable[[Scene], dict[str, str]]
    ids: Callable[[dict[str, Any]], list[int]]  # the report ids of a GraphQL answer


def _page_ids(root: str) -> Callable[[dict[str, Any]], list[int]]:
    return lambda data: [_pk(edge["node"]["id"]) for edge in data[root]["edges"]]


def _pk(global_id: str) -> int:
    return int(base64.b64decode(global_id).decode().split(":")[1])


def _officer(scene: Scene) -> dict[str, str]:
    return {"authorization": f"Bearer {scene.officer_token}"}


READS = [
    Read(
        "near",
        NEAR,
        lambda s, n: {"lat": s.points[n][0], "lon": s.points[n][1]},
        lambda s, n: f"/near?lat={s.points[n][0]}&lon={s.points[n][1]}",
        lambda _s: {},
        _page_ids("reports"),
    ),
    Read(
        "code",
        BY_CODE,
        lambda s, n: {"code": s.codes[n]},
        lambda s, n: f"/code?code={s.codes[n]}",
        lambda _s: {},
        lambda data: [_pk(data["report"]["id"])],
    ),
    Read(
        "agencyQueue",
        AGENCY_QUEUE,
        lambda s, _n: {"agency": to_global_id("Agency", s.agency_id)},
        lambda s, _n: f"/agency-queue?agency={s.agency_id}",
        _officer,
        _page_ids("agencyQueue"),
    ),
    Read(
        "myQueue",
        MY_QUEUE,
        lambda _s, _n: {},
        lambda s, _n: f"/my-queue?user={s.officer_id}",
        _officer,
        _page_ids("myQueue"),
    ),
    Read(
        "partner",
        PARTNER,
        lambda _s, _n: {},
        lambda _s, _n: "/timelines",
        lambda s: {"x-api-key": s.partner_key},
        _page_ids("reports"),
    ),
]


FILE = """mutation($input: FileReportInput!) { fileReport(input: $input) { report { id code status }
  errors { code } } }"""
UPDATE = """mutation($input: UpdateReportStatusInput!) { updateReportStatus(input: $input) {
  report { id status } errors { code } } }"""


def _filed_at(n: int) -> tuple[float, float]:
    """A place in central Kupang (inside the service area), a different one for each filing."""
    return -10.17 + (n % 20) * 0.0005, 123.60 + (n // 20 % 20) * 0.0005


@dataclass
class Write:
    """A mutation, each request with its own variables, against a plain statement of its kind."""

    name: str
    query: str
    variables: Callable[[Scene, int], dict[str, Any]]
    plain_body: Callable[[Scene, int], dict[str, Any]]
    plain_path: str
    headers: Callable[[Scene], dict[str, str]]
    variants: Callable[[Scene], int]


WRITES = [
    Write(
        "fileReport",
        FILE,
        lambda s, n: {
            "input": {
                "title": f"Sampah menumpuk nomor {n}",
                "categoryCode": "SAMPAH",
                "description": "Tumpukan sampah belum diangkut sejak tiga hari.",
                "location": {"lat": _filed_at(n)[0], "lon": _filed_at(n)[1]},
            }
        },
        lambda s, n: {
            "title": f"Sampah menumpuk nomor {n}",
            "lat": _filed_at(n)[0],
            "lon": _filed_at(n)[1],
        },
        "/insert",
        lambda _s: {},
        lambda _s: VARIANTS,
    ),
    Write(
        "updateReportStatus",
        UPDATE,
        lambda s, n: {"input": {"id": to_global_id("Report", s.submitted[n]), "status": "ACKNOWLEDGED"}},
        lambda s, n: {"id": s.submitted[n], "status": "ACKNOWLEDGED"},
        "/update",
        lambda s: {"authorization": f"Bearer {s.dispatcher_token}"},
        lambda s: len(s.submitted) - 1,  # the first is checked before measuring
    ),
]


async def prepare_scene(url: str, secret: str) -> Scene:
    """An officer of the busiest agency with 60 of its open reports assigned, a city admin's
    partner key, and some public comments on the newest reports."""
    connection = await asyncpg.connect(pg(url))
    try:
        agency_id = await connection.fetchval(
            "SELECT agency_id FROM reports GROUP BY agency_id ORDER BY count(*) DESC LIMIT 1"
        )
        rows = await connection.fetch(
            "SELECT latitude, longitude, code FROM reports ORDER BY id LIMIT $1", VARIANTS
        )
        newest = await connection.fetch("SELECT id FROM reports ORDER BY created_at DESC, id DESC LIMIT 10")
        await connection.executemany(
            "INSERT INTO report_events (report_id, kind, note, created_at, published_at, is_internal) "
            "VALUES ($1, 'COMMENTED', 'Sudah dilihat, terima kasih', now(), now(), FALSE)",
            [(row["id"],) for row in newest for _ in range(3)],
        )
    finally:
        await connection.close()
    rng = random.Random(11)
    points = [(row["latitude"] + rng.uniform(-0.002, 0.002), row["longitude"]) for row in rows]
    await connect(url)
    try:
        officer = await User.create(name="Petugas Bench", email="petugas@bench.test", role=Role.OFFICER,
                                    agency_id=agency_id)  # fmt: skip
        admin = await User.create(name="Admin Bench", email="admin@bench.test", role=Role.CITY_ADMIN)
        open_reports = await asyncpg_ids(url, agency_id)
        connection = await asyncpg.connect(pg(url))
        try:
            await connection.execute("UPDATE reports SET assignee_id = $1 WHERE id = ANY($2::int[])",
                                     officer.id, open_reports[:60])  # fmt: skip
            await connection.execute("ANALYZE")
        finally:
            await connection.close()
        dispatcher = await User.create(
            name="Dispatcher Bench", email="dispatch@bench.test", role=Role.DISPATCHER
        )
        submitted = (
            await Report.filter(status=ReportStatus.SUBMITTED).order_by("id").values_list("id", flat=True)
        )
        token, _ = TokenSigner(secret).access_token(officer)
        dispatcher_token, _ = TokenSigner(secret).access_token(dispatcher)
        _, key = await create_api_key(
            Principal(kind=PrincipalKind.USER, user=admin),
            name="Mitra bench",
            kind=ApiKeyKind.PARTNER,
            scopes=["reports:read"],
            budget_per_hour=10_000_000,
        )
    finally:
        await disconnect()
    codes = [row["code"] for row in rows]
    return Scene(points, codes, agency_id, officer.id, token, key, dispatcher_token, list(submitted))


async def asyncpg_ids(url: str, agency_id: int) -> list[int]:
    connection = await asyncpg.connect(pg(url))
    try:
        rows = await connection.fetch(
            "SELECT id FROM reports WHERE agency_id = $1 AND status IN ('SUBMITTED', 'ACKNOWLEDGED', "
            "'IN_PROGRESS') ORDER BY id",
            agency_id,
        )
        return [row["id"] for row in rows]
    finally:
        await connection.close()


def script(bodies: list[tuple[str, str, str | None]], headers: dict[str, str]) -> str:
    """A wrk script sending the variants in turn: (method, path, JSON body or None). The requests
    are formatted in `init`, once wrk knows the Host header."""
    lua = ["local requests = {}", "init = function(args)"]
    all_headers = {**headers, "Content-Type": "application/json"}
    header_table = ", ".join(
        f"[{orjson.dumps(k).decode()}] = {orjson.dumps(v).decode()}" for k, v in all_headers.items()
    )
    for method, path, body in bodies:
        body_lua = orjson.dumps(body).decode() if body is not None else "nil"
        lua.append(f"table.insert(requests, wrk.format({method!r}.upper(), {orjson.dumps(path).decode()}, "
                   f"{{{header_table}}}, {body_lua}))")  # fmt: skip
    lua.append("end\nlocal i = 0\nrequest = function()\n  i = i % #requests + 1\n  return requests[i]\nend")
    return "\n".join(lua).replace("'GET'.upper()", '"GET"').replace("'POST'.upper()", '"POST"')


def check_same_reports(read: Read, scene: Scene, sigap: str, plain: str) -> None:
    answer = httpx.post(sigap, json={"query": read.query, "variables": read.variables(scene, 0)},
                        headers=read.headers(scene), timeout=30).json()  # fmt: skip
    assert "errors" not in answer, answer
    theirs = httpx.get(plain + read.plain_path(scene, 0), timeout=30).json()["data"]
    ours = read.ids(answer["data"])
    assert ours, f"{read.name}: no reports in the answer"
    assert ours == [row["id"] for row in theirs], f"{read.name}: {ours} != {[row['id'] for row in theirs]}"


def measure_write(
    write: Write,
    scene: Scene,
    args: Any,
    folder: Path,
    sigap: Any,
    endpoint: str,
    plain: Any,
    plain_base: str,
) -> tuple[Measured, Measured]:
    """Sigap's mutation and the plain statement, each request with variables of its own: the
    first variant checked, the next half of them for the warm-up, the rest measured."""
    answer = httpx.post(endpoint, json={"query": write.query, "variables": write.variables(scene, 0)},
                        headers=write.headers(scene), timeout=30).json()  # fmt: skip
    assert "errors" not in answer, answer
    assert not next(iter(answer["data"].values()))["errors"], answer
    count = write.variants(scene)
    halves = (range(1, count // 2), range(count // 2, count))
    figures = []
    for name, process, url_of in (
        ("Sigap", sigap, endpoint),
        ("plain", plain, plain_base + write.plain_path),
    ):
        scripts = []
        for part, numbers in zip(("warm-up", "run"), halves, strict=True):
            if name == "Sigap":
                requests = [("POST", "/graphql", orjson.dumps({"query": write.query,
                             "variables": write.variables(scene, n)}).decode()) for n in numbers]  # fmt: skip
                headers = write.headers(scene)
            else:
                requests = [("POST", write.plain_path, orjson.dumps(write.plain_body(scene, n)).decode())
                            for n in numbers]  # fmt: skip
                headers = {}
            path = folder / f"{write.name}-{name}-{part}.lua"
            path.write_text(script(requests, headers))
            scripts.append(path)
        server = Server(f"{write.name} {name}", process, url_of, None)
        figures.append(measure(server, args, script=scripts[1], warm_up=scripts[0]))
    return figures[0], figures[1]


def main() -> int:
    parser = load_arguments(__doc__)
    parser.add_argument("--only", help="comma-separated read names")
    args = parser.parse_args()
    if WRK is None:
        print("wrk is needed: apt-get install wrk", file=sys.stderr)
        return 2
    url = asyncio.run(prepare_database("sigap_bench_other_reads", args.reports))
    secret = secrets.token_urlsafe(32)
    scene = asyncio.run(prepare_scene(url, secret))
    reads = [r for r in READS if not args.only or r.name in args.only.split(",")]
    writes = [w for w in WRITES if not args.only or w.name in args.only.split(",")]
    plain_port = free_port()
    plain_base = f"http://127.0.0.1:{plain_port}"
    plain = start(
        [sys.executable, "-m", "bench.plain_endpoint", str(plain_port), url], {}, plain_base + "/reports"
    )
    sigap, endpoint = start_sigap(
        f"{url}?maxsize=10",
        RESPONSE_CACHE="0",
        JWT_SECRET=secret,
        # wrk is one client at one address: limits it cannot reach, so that every filing is served
        RATE_LIMIT_FILE_REPORT="1000000/minute",
        RATE_LIMIT_FILE_REPORT_PER_ADDRESS="1000000/minute",
    )
    results: list[tuple[str, Measured, Measured]] = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            for read in reads:
                check_same_reports(read, scene, endpoint, plain_base)
                figures = []
                for name, process, url_of, variant in (
                    ("Sigap", sigap, endpoint, lambda n, r=read: ("POST", "/graphql", orjson.dumps(
                        {"query": r.query, "variables": r.variables(scene, n)}).decode())),
                    ("plain", plain, plain_base, lambda n, r=read: ("GET", r.plain_path(scene, n), None)),
                ):  # fmt: skip
                    headers = read.headers(scene) if name == "Sigap" else {}
                    path = Path(folder) / f"{read.name}-{name}.lua"
                    path.write_text(script([variant(n) for n in range(VARIANTS)], headers))
                    server = Server(f"{read.name} {name}", process, url_of, None)
                    figures.append(measure(server, args, script=path))
                results.append((read.name, figures[0], figures[1]))
            for write in writes:
                results.append((write.name, *measure_write(write, scene, args, Path(folder), sigap, endpoint,
                                                           plain, plain_base)))  # fmt: skip
    finally:
        stop(sigap)
        stop(plain)
    print(f"\nuncached reads and mutations; {args.connections} connections, {args.duration} s each")
    columns = f"{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'CPU ms/req':>12}{'vs plain':>10}"
    print(f"{'operation':<20}{'server':<8}{columns}")
    for name, ours, theirs in results:
        for label, r in (("Sigap", ours), ("plain", theirs)):
            ratio = r.requests_per_s / theirs.requests_per_s
            print(f"{name:<20}{label:<8}{r.requests_per_s:>9.0f}{r.p50_ms:>9.1f}{r.p99_ms:>9.1f}"
                  f"{r.cpu_ms_per_request:>12.2f}{ratio:>10.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
