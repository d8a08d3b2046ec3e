"""GraphiQL in a real Chromium with every other origin blocked: it loads from Sigap alone, runs a
query over HTTP and a subscription over the websocket."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from urllib.parse import urlencode

from playwright.async_api import Browser, Page

from tests.browser import offline
from tests.live_clients import file_report_http, graphql_http, live_stats, wait_until_async
from tests.server_process import RunningServer, module_server

SUBSCRIPTION = "subscription { reportEvents { event { kind } report { title } } }"


server = module_server("graphiql")


async def open_graphiql(browser: Browser, server: RunningServer, operation: str) -> tuple[Page, list[str]]:
    context = await browser.new_context()
    refused = await offline(context)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    await page.goto(f"{server.url}/graphql#{urlencode({'query': operation})}")
    await page.wait_for_selector(".graphiql-execute-button", timeout=20_000)
    assert errors == []
    return page, refused


RESULT = "document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"


async def wait_for_result(page: Page, containing: str) -> dict[str, Any]:
    """The result pane's whole text (CodeMirror draws only the visible lines), once it holds `containing`."""
    await page.wait_for_function(f"() => {RESULT}.includes({json.dumps(containing)})", timeout=15_000)
    return dict(json.loads(await page.evaluate(f"() => {RESULT}")))


async def test_graphiql_loads_offline_and_runs_a_query(browser: Browser, server: RunningServer) -> None:
    page, refused = await open_graphiql(browser, server, "{ categories { code name } }")

    await page.click(".graphiql-execute-button")
    shown = await wait_for_result(page, "SAMPAH")

    assert (
        shown["data"]["categories"] == graphql_http(server.url, "{ categories { code name } }")["categories"]
    )
    assert refused == []  # nothing was even tried outside this server


async def test_graphiql_runs_a_subscription_over_the_websocket(
    browser: Browser, server: RunningServer
) -> None:
    page, refused = await open_graphiql(browser, server, SUBSCRIPTION)
    before = live_stats(server.url)["operations"]

    await page.click(".graphiql-execute-button")
    # graphql-transport-ws does not acknowledge a subscription: wait until the server holds it.
    await wait_until_async(
        lambda: asyncio.to_thread(lambda: live_stats(server.url)["operations"] > before),
        what="GraphiQL's subscription registered",
    )
    await asyncio.to_thread(file_report_http, server.url, "Lampu jalan mati di Oebobo")
    shown = await wait_for_result(page, "Lampu jalan mati di Oebobo")

    assert shown["data"]["reportEvents"] == {
        "event": {"kind": "FILED"},
        "report": {"title": "Lampu jalan mati di Oebobo"},
    }
    assert refused == []
