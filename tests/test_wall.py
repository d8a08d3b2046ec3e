"""The city wall in a real headless Chromium (Debian's), against real server processes."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from playwright.async_api import Browser, Page

from tests.live_clients import change_status_http, file_report_http
from tests.server_process import free_port, sigap_server


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
        await wait_visible(page, f'#map circle[data-code="{existing["code"]}"]', within=10)

        filed_at = time.monotonic()
        fire = await asyncio.to_thread(
            file_report_http, server.url, "Kebakaran gudang", categoryCode="KEBAKARAN"
        )
        # The user-facing promise: on the wall within 2 s of filing.
        await wait_visible(page, ticker_item(fire["code"]), within=2 - (time.monotonic() - filed_at))
        await wait_visible(page, f'#map circle[data-code="{fire["code"]}"]', within=2)
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
            "() => document.querySelectorAll('#ticker li').length === 5", timeout=15000
        )
        cursors = await page.eval_on_selector_all("#ticker li", "items => items.map(i => i.dataset.cursor)")
        open_count = await page.text_content("#count-open")
        gone = await page.query_selector(f'#map circle[data-code="{existing["code"]}"]')

    assert len(cursors) == len(set(cursors)) == 5  # each event once: 1 filed live, 2 missed, 2 changes
    assert cursors == sorted(cursors, key=int, reverse=True)
    assert open_count == "3"  # the rejected report left the map and the counts
    assert gone is None
    assert foreign_requests == []
    assert page_errors == []
