"""The city wall in a real headless Chromium (Debian's), against real server processes."""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from playwright.async_api import Browser, Page, WebSocket

from models import EscalationTarget, EventKind
from tests.live_clients import change_status_http, file_report_http, graphql_http
from tests.server_process import REPO, RunningServer, free_port, module_server, sigap_server
from tests.sqlite_urls import sqlite_file_of


def on_map(code: str) -> str:
    """The mark of a report on the map: its own dot, or a numbered cluster holding it."""
    return f'#map [data-codes~="{code}"]'


def ticker_item(code: str) -> str:
    return f'#ticker li[data-code="{code}"]'


async def wait_visible(page: Page, selector: str, *, within: float) -> None:
    await page.wait_for_selector(selector, timeout=max(within, 0.001) * 1000)


async def test_wall_shows_filings_live_and_the_events_it_missed_across_a_restart(
    browser: Browser, tmp_path: Path
) -> None:
    port = free_port()
    page = await browser.new_page()
    foreign_requests: list[str] = []
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))

    with sigap_server(tmp_path, port=port) as server:
        local = (server.url, server.url.replace("http://", "ws://"))
        page.on("request", lambda r: None if r.url.startswith(local) else foreign_requests.append(r.url))
        existing = await asyncio.to_thread(file_report_http, server.url, "Sudah ada sebelum dinding dibuka")
        await page.goto(server.url + "/wall")
        await wait_visible(page, '#connection[data-state="live"]', within=10)
        await wait_visible(page, on_map(existing["code"]), within=10)

        filed_at = time.monotonic()
        fire = await asyncio.to_thread(
            file_report_http, server.url, "Kebakaran gudang", categoryCode="KEBAKARAN"
        )
        # The user-facing promise: on the wall within 2 s of filing.
        await wait_visible(page, ticker_item(fire["code"]), within=2 - (time.monotonic() - filed_at))
        await wait_visible(page, on_map(fire["code"]), within=2)
        assert await page.text_content("#count-open") == "2"

    await wait_visible(page, '#connection[data-state="offline"]', within=10)
    with sigap_server(tmp_path) as other_process:  # the city goes on while this server is down
        missed = [
            await asyncio.to_thread(file_report_http, other_process.url, f"Saat server mati {n}")
            for n in range(2)
        ]
        await asyncio.to_thread(change_status_http, other_process, fire["id"], "ACKNOWLEDGED")
        await asyncio.to_thread(
            change_status_http, other_process, existing["id"], "REJECTED", "Bukan wewenang kota"
        )

    with sigap_server(tmp_path, port=port):
        for report in missed:
            await wait_visible(page, ticker_item(report["code"]), within=15)
        await page.wait_for_function(
            "() => document.querySelectorAll('#ticker li').length === 6", timeout=15000
        )
        cursors = await page.eval_on_selector_all("#ticker li", "items => items.map(i => i.dataset.cursor)")
        open_count = await page.text_content("#count-open")
        gone = await page.query_selector(on_map(existing["code"]))

    # Each event once: the filing shown on opening, 1 filed live, 2 missed, 2 changes.
    assert len(cursors) == len(set(cursors)) == 6
    assert cursors == sorted(cursors, key=int, reverse=True)
    assert open_count == "3"  # the rejected report left the map and the counts
    assert gone is None
    assert foreign_requests == []
    assert page_errors == []


# ---------------------------------------------------------------- one server for the tests below


server = module_server("wall")


def move_deadlines(server: RunningServer, code: str, **deadlines: datetime) -> None:
    """Set a report's service-level deadlines behind the server's back, as time passing would."""
    database = sqlite_file_of(server.environment["DATABASE_URL"])
    with sqlite3.connect(database) as connection:
        for column, moment in deadlines.items():
            assert column in {"acknowledge_due_at", "due_at"}
            connection.execute(
                f"UPDATE reports SET {column} = ? WHERE code = ?",
                (moment.isoformat(sep=" "), code),
            )


OPEN_AND_LATE = """{
  open: reports(filter: {publicGroups: [WAITING, IN_PROCESS]}) { totalCount }
  late: reports(filter: {publicGroups: [WAITING, IN_PROCESS], overdue: true}) {
    totalCount edges { node { code lateFor } } } }"""

# This display's clock runs 26 hours ahead, as the one the issue saw.
SKEWED_CLOCK = """(() => {
  const skew = 26 * 3600 * 1000;
  const RealDate = Date;
  class SkewedDate extends RealDate {
    constructor(...args) { if (args.length === 0) super(RealDate.now() + skew); else super(...args); }
    static now() { return RealDate.now() + skew; }
  }
  globalThis.Date = SkewedDate;
})();"""


async def test_lateness_is_the_apis_on_the_servers_clock_whatever_the_display_clock_says(
    browser: Browser, server: RunningServer
) -> None:
    now = datetime.now(UTC)
    unacknowledged = await asyncio.to_thread(
        file_report_http, server.url, "Belum diterima", location={"lat": -10.16, "lon": 123.59}
    )
    unresolved = await asyncio.to_thread(
        file_report_http, server.url, "Belum selesai", location={"lat": -10.2, "lon": 123.6}
    )
    await asyncio.to_thread(file_report_http, server.url, "Masih tepat waktu")
    fire = await asyncio.to_thread(file_report_http, server.url, "Kebakaran pasar", categoryCode="KEBAKARAN")
    move_deadlines(server, unacknowledged["code"], acknowledge_due_at=now - timedelta(minutes=1))
    move_deadlines(server, unresolved["code"], due_at=now - timedelta(hours=1))
    api = await asyncio.to_thread(graphql_http, server.url, OPEN_AND_LATE)
    late = {edge["node"]["code"]: edge["node"]["lateFor"] for edge in api["late"]["edges"]}
    assert len(late) == api["late"]["totalCount"]
    assert late[unacknowledged["code"]] == "ACKNOWLEDGE"
    assert late[unresolved["code"]] == "RESOLVE"

    page = await browser.new_page()
    await page.add_init_script(SKEWED_CLOCK)
    await page.goto(server.url + "/wall")
    assert await page.evaluate("() => Date.now() - performance.timeOrigin") > 25 * 3600 * 1000

    await page.wait_for_function(
        "([open, late]) => document.getElementById('count-open').textContent === String(open)"
        " && document.getElementById('count-overdue').textContent === String(late)",
        arg=[api["open"]["totalCount"], api["late"]["totalCount"]],
        timeout=15000,
    )
    split = await page.text_content("#overdue-split")
    by_target = [list(late.values()).count(target) for target in ("ACKNOWLEDGE", "RESOLVE")]
    assert split == f"{by_target[0]} belum diterima · {by_target[1]} belum selesai"
    # A display 26 h ahead would have found every 24-hour acknowledge target passed.
    assert api["late"]["totalCount"] < api["open"]["totalCount"]
    for code, target in late.items():
        assert await page.get_attribute(on_map(code), "class") == Contains(f"late-{target.lower()}")
    assert await page.get_attribute(on_map(fire["code"]), "class") == Contains("emergency")
    shown = (await page.text_content("#clock") or "").replace(".", ":")
    city_now = datetime.now(ZoneInfo("Asia/Makassar"))
    assert shown[:5] in {(city_now - timedelta(minutes=m)).strftime("%H:%M") for m in (0, 1)}
    await page.close()


class Contains(str):
    """Equal to any string containing it: for class lists."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, str) and str(self) in other.split()

    __hash__ = str.__hash__


QUIET = {EventKind.SUPPORTED, EventKind.FOLLOWED, EventKind.UNFOLLOWED}


async def test_the_ticker_opens_on_the_latest_events_in_indonesian_with_agency_names(
    browser: Browser, server: RunningServer
) -> None:
    report = await asyncio.to_thread(file_report_http, server.url, "Sampah di pasar Oeba")
    await asyncio.to_thread(change_status_http, server, report["id"], "ACKNOWLEDGED")

    page = await browser.new_page()
    await page.goto(server.url + "/wall")
    await page.wait_for_function(  # no new event needed: the latest ones are shown on opening
        "code => document.querySelectorAll(`#ticker li[data-code='${code}']`).length === 2",
        arg=report["code"],
        timeout=10000,
    )
    cards = await page.eval_on_selector_all(
        f'#ticker li[data-code="{report["code"]}"]', "cards => cards.map(c => c.innerText)"
    )
    assert "Menunggu → Diterima" in cards[0]
    assert "Laporan baru" in cards[1]
    assert all("Dinas Lingkungan Hidup" in card for card in cards)
    assert "Dinas Lingkungan Hidup" in (await page.inner_text("#by-agency"))

    # Every kind the API has, as the ticker would say it: Indonesian, never the raw enum value.
    for kind in EventKind:
        event = {"kind": kind.value, "fromStatus": "SUBMITTED", "toStatus": "ACKNOWLEDGED", "data": {}}
        said = await page.evaluate("event => describeEvent(event)", event)
        if kind in QUIET:
            assert said is None, kind
        else:
            assert said, kind
            assert kind.value not in said, said
            assert "_" not in said, said
    missed = {
        target: await page.evaluate(
            "target => describeEvent({kind: 'ESCALATED', data: {target}})", target.value
        )
        for target in EscalationTarget
    }
    assert "penerimaan" in missed[EscalationTarget.ACKNOWLEDGE]
    assert "penyelesaian" in missed[EscalationTarget.RESOLVE]

    # "Diproses" is the public group (accepted or being worked on) wherever it appears.
    saying_diproses = await page.evaluate(
        """() => [...document.querySelectorAll('body *')]
             .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.includes('Diproses')))
             .map(e => e.closest('.legend') ? 'legend' : e.outerHTML)"""
    )
    assert saying_diproses == ["legend"]
    await page.close()


def _run_jobs_once(server: RunningServer) -> None:
    """`sigap jobs run-once` (cron's way) against the server's database."""
    subprocess.run(
        [sys.executable, "-m", "server.cli", "jobs", "run-once"],
        cwd=REPO, env=server.environment, check=True, capture_output=True, timeout=60,
    )  # fmt: skip


async def test_an_escalation_on_the_wall_says_which_target_was_missed(
    browser: Browser, server: RunningServer
) -> None:
    page = await browser.new_page()
    await page.goto(server.url + "/wall")
    await wait_visible(page, '#connection[data-state="live"]', within=10)
    fire = await asyncio.to_thread(file_report_http, server.url, "Kebakaran gudang", categoryCode="KEBAKARAN")
    move_deadlines(server, fire["code"], acknowledge_due_at=datetime.now(UTC) - timedelta(minutes=1))
    await asyncio.to_thread(_run_jobs_once, server)

    # The job's events reach the feed through the relay (its sweep, until jobs announce their own).
    card = f'#ticker li[data-kind="ESCALATED"][data-code="{fire["code"]}"]'
    await wait_visible(page, card, within=30)
    said = await page.inner_text(card)
    assert "batas waktu penerimaan terlewati" in said
    assert "ESCALATED" not in said
    assert "Dinas Pemadam Kebakaran" in said
    assert await page.get_attribute(card, "class") == Contains("emergency")
    assert await page.get_attribute(on_map(fire["code"]), "class") == Contains("late-acknowledge")
    await page.close()


def _display_key(server: RunningServer) -> tuple[str, str]:
    create = """mutation { createApiKey(input: {name: "Layar", kind: DISPLAY}) { key apiKey { id } } }"""
    created = graphql_http(server.url, create, headers=server.staff_headers())["createApiKey"]
    return created["key"], created["apiKey"]["id"]


def _revoke(server: RunningServer, key_id: str) -> None:
    revoke = "mutation($id: ID!) { revokeApiKey(input: {id: $id}) { errors { code } } }"
    answer = graphql_http(server.url, revoke, {"id": key_id}, server.staff_headers())
    assert answer["revokeApiKey"]["errors"] == []


async def test_the_wall_reads_with_its_display_key_until_the_key_is_revoked(
    browser: Browser, server: RunningServer
) -> None:
    key, key_id = await asyncio.to_thread(_display_key, server)
    page = await browser.new_page()
    sent_keys: list[str | None] = []
    page.on(
        "request",
        lambda r: sent_keys.append(r.headers.get("x-api-key")) if r.url.endswith("/graphql") else None,
    )
    inits: list[dict[str, object]] = []

    def on_socket(socket: WebSocket) -> None:
        def on_frame(frame: str | bytes) -> None:
            message = json.loads(frame)
            if message.get("type") == "connection_init":
                inits.append(message.get("payload") or {})

        socket.on("framesent", on_frame)

    page.on("websocket", on_socket)

    await page.goto(f"{server.url}/wall?key={key}")
    await wait_visible(page, '#connection[data-state="live"]', within=10)
    assert "key" not in page.url  # not left on the screen
    await page.reload()  # kept in the browser: the address alone is enough after the first time
    await wait_visible(page, '#connection[data-state="live"]', within=10)
    await page.wait_for_function("() => document.getElementById('count-open').textContent !== '–'")

    assert len(sent_keys) >= 4
    assert set(sent_keys) == {key}
    assert len(inits) == 2
    assert all(init == {"x-api-key": key} for init in inits)

    await asyncio.to_thread(_revoke, server, key_id)
    await wait_visible(page, '#connection[data-state="refused"]', within=15)
    await page.goto(f"{server.url}/wall?key=sgp_nope_nope")
    await wait_visible(page, '#connection[data-state="refused"]', within=10)
    await page.close()


# ---------------------------------------------------------------- the map

SET_OUTLINE = """mutation($i: SetAreaOutlineInput!) { setAreaOutline(input: $i) { errors { code } } }"""


def _set_outline(server: RunningServer, code: str, ring: list[list[float]]) -> None:
    areas = graphql_http(server.url, "{ areas(level: KECAMATAN) { id code } }")["areas"]
    (area_id,) = [a["id"] for a in areas if a["code"] == code]
    outline = json.dumps({"type": "Polygon", "coordinates": [ring]})
    answer = graphql_http(
        server.url, SET_OUTLINE, {"i": {"id": area_id, "geojson": outline}}, server.staff_headers()
    )
    assert answer["setAreaOutline"]["errors"] == []


async def _label_at(page: Page, code: str) -> tuple[float, float]:
    box = await page.eval_on_selector(
        f'#map .labels text[data-area="{code}"]', "t => [+t.getAttribute('x'), +t.getAttribute('y')]"
    )
    return box[0], box[1]


async def test_the_map_draws_the_shore_the_kecamatan_and_groups_reports_that_overlap(
    browser: Browser, server: RunningServer
) -> None:
    place = {"lat": -10.25, "lon": 123.66}
    together = [
        await asyncio.to_thread(file_report_http, server.url, f"Sampah di tepi jalan {n}", location=place)
        for n in range(3)
    ]
    fire = await asyncio.to_thread(
        file_report_http, server.url, "Kebakaran rumah", categoryCode="KEBAKARAN", location=place
    )
    page = await browser.new_page()
    await page.goto(server.url + "/wall")
    await page.wait_for_function("() => document.querySelectorAll('#map .labels text').length === 6")
    names = await page.eval_on_selector_all("#map .labels text", "labels => labels.map(l => l.textContent)")
    assert sorted(names) == ["Alak", "Kelapa Lima", "Kota Lama", "Kota Raja", "Maulafa", "Oebobo"]
    # The shore: land polygons with many vertices, not a frame.
    shore = await page.eval_on_selector_all("#map path.land", "paths => paths.map(p => p.getAttribute('d'))")
    assert len(shore) == 1
    assert shore[0].count("L") > 40
    assert await page.query_selector("#map path.kecamatan") is None  # no outline loaded yet

    codes = {report["code"] for report in together}
    await wait_visible(page, on_map(together[0]["code"]), within=10)
    cluster = await page.eval_on_selector(
        on_map(together[0]["code"]),
        "g => [g.dataset.codes.split(' '), g.textContent, g.getAttribute('class')]",
    )
    assert set(cluster[0]) == codes
    assert cluster[1].startswith("3")
    assert "cluster" in cluster[2].split()
    emergency = await page.get_attribute(on_map(fire["code"]), "data-codes")
    assert emergency == fire["code"]  # an emergency is never hidden in a group

    approximate = await _label_at(page, "53.71.04")
    await asyncio.to_thread(
        _set_outline,
        server,
        "53.71.04",
        [[123.59, -10.19], [123.63, -10.19], [123.63, -10.15], [123.59, -10.15], [123.59, -10.19]],
    )
    await page.reload()
    await page.wait_for_selector("#map path.kecamatan")
    await page.wait_for_function("() => document.querySelectorAll('#map .labels text').length === 6")
    assert await _label_at(page, "53.71.04") != approximate
    assert await page.evaluate("() => project(-10.17, 123.61).map(Math.round)") == [
        round(v) for v in await _label_at(page, "53.71.04")
    ]
    await page.close()


# The server's cluster nearest to a point on the wall's map: [count shown, data-count].
NEAREST_CLUSTER = """([lat, lon]) => {
  const [x, y] = project(lat, lon);
  const clusters = [...document.querySelectorAll('#map .server-cluster')];
  const distance = (g) => Math.hypot(g.querySelector('circle').cx.baseVal.value - x,
                                     g.querySelector('circle').cy.baseVal.value - y);
  const nearest = clusters.sort((a, b) => distance(a) - distance(b))[0];
  return nearest ? [nearest.querySelector('text').textContent, Number(nearest.dataset.count)] : null;
}"""


async def test_a_busy_map_draws_the_servers_clusters_and_recounts_them_as_reports_come(
    browser: Browser, server: RunningServer
) -> None:
    place = {"lat": -10.262, "lon": 123.705}  # away from the other tests' reports
    for n in range(3):
        await asyncio.to_thread(file_report_http, server.url, f"Jalan berlubang {n}", location=place)
    page = await browser.new_page()
    await page.goto(server.url + "/wall?dots=0")  # clusters from the first report on

    await page.wait_for_selector('#map[data-layer="clusters"] .server-cluster')
    assert await page.evaluate(NEAREST_CLUSTER, [place["lat"], place["lon"]]) == ["3", 3]
    shown = await page.eval_on_selector_all(
        "#map .server-cluster", "gs => gs.reduce((n, g) => n + Number(g.dataset.count), 0)"
    )
    assert shown == int(await page.text_content("#count-open") or "")  # every open report, once

    await asyncio.to_thread(file_report_http, server.url, "Jalan berlubang lagi", location=place)
    await page.wait_for_function(
        f"() => ({NEAREST_CLUSTER})([{place['lat']}, {place['lon']}])?.[1] === 4", timeout=10000
    )
    assert await page.evaluate(NEAREST_CLUSTER, [place["lat"], place["lon"]]) == ["4", 4]
    await page.close()


# ---------------------------------------------------------------- legibility


async def test_the_wall_fits_and_grows_with_the_screen(
    browser: Browser, server: RunningServer, tmp_path: Path
) -> None:
    filed = [
        await asyncio.to_thread(file_report_http, server.url, f"Lampu jalan mati di gang {n} dekat pasar")
        for n in range(14)
    ]
    sizes: dict[tuple[int, int], dict[str, float]] = {}
    for width, height in ((1280, 720), (1920, 1080)):
        page = await browser.new_page(viewport={"width": width, "height": height})
        await page.goto(server.url + "/wall")
        await wait_visible(page, '#connection[data-state="live"]', within=10)
        await page.wait_for_function("() => document.querySelectorAll('#ticker li').length >= 14")
        await wait_visible(page, f'#ticker li:first-child[data-code="{filed[-1]["code"]}"]', within=10)
        await page.wait_for_function("() => document.querySelectorAll('#map .labels text').length === 6")
        await page.evaluate("() => new Promise(requestAnimationFrame)")
        outside = await page.evaluate(OUTSIDE_THE_SCREEN)
        assert outside == [], (width, height, outside)
        shown_cards = await page.eval_on_selector_all("#ticker li:not([hidden])", "cards => cards.length")
        assert shown_cards >= 3
        sizes[(width, height)] = await page.evaluate(FONT_SIZES)
        await page.screenshot(path=str(screenshots_dir(tmp_path) / f"wall-{width}x{height}.png"))
        await page.close()
    small, large = sizes[(1280, 720)], sizes[(1920, 1080)]
    for part in small:
        assert small[part] >= 12, (part, small)
        assert large[part] >= 1.4 * small[part], (part, small, large)  # grows with the screen
    assert large["ticker"] >= 20
    assert large["rows"] >= 20


# The text size of each part of the wall, in CSS pixels.
FONT_SIZES = """() => Object.fromEntries(Object.entries({
  ticker: '#ticker li', rows: '#by-status li', legend: '.legend', tiles: '.tile .label', clock: '#clock',
}).map(([part, selector]) => [
  part, parseFloat(getComputedStyle(document.querySelector(selector)).fontSize),
]))"""


def screenshots_dir(tmp_path: Path) -> Path:
    """Where the screenshots go: WALL_SCREENSHOTS when set (to look at them), else the test's tmp."""
    place = Path(os.environ.get("WALL_SCREENSHOTS") or tmp_path)
    place.mkdir(parents=True, exist_ok=True)
    return place


# Every element that is shown but lies (partly) outside the window, or outside the box of the
# list or panel that clips it; and the page itself when it is larger than the window.
OUTSIDE_THE_SCREEN = """() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollHeight > innerHeight || root.scrollWidth > innerWidth) {
    problems.push(`page ${root.scrollWidth}x${root.scrollHeight} in ${innerWidth}x${innerHeight}`);
  }
  const name = (e) => e.id ? `#${e.id}` : `${e.tagName.toLowerCase()}.${e.className}`;
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('svg') && e.tagName.toLowerCase() !== 'svg') continue;  // drawing inside the map
    const box = e.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;  // not shown
    if (box.left < -0.5 || box.top < -0.5 || box.right > innerWidth + 0.5 || box.bottom > innerHeight + 0.5) {
      problems.push(`${name(e)} at ${box.left},${box.top},${box.right},${box.bottom}`);
    }
    const clip = e.parentElement && e.parentElement.closest('section, ul, ol');
    if (clip) {
      const outer = clip.getBoundingClientRect();
      if (box.bottom > outer.bottom + 0.5 || box.right > outer.right + 0.5) {
        problems.push(`${name(e)} cut by ${name(clip)}`);
      }
    }
  }
  return problems;
}"""
