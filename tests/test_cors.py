"""CORS from a real page on another origin, in Chromium: an allowed origin's app calls the API with
its own headers; any other origin reads nothing; credentialed (cookie) requests are refused; and a
request a browser sends without a preflight is still refused by the CSRF guard."""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page

from tests.graphql import FILE_REPORT, filing
from tests.server_process import RunningServer, free_port, sigap_server

COUNT = "{ reports(first: 1) { totalCount } }"


@pytest.fixture(scope="module")
def app_port() -> int:
    return free_port()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_port: int) -> Iterator[RunningServer]:
    """The API on 127.0.0.1, allowing pages of http://localhost:<app_port> only."""
    folder = tmp_path_factory.mktemp("cors")
    with sigap_server(folder, ALLOWED_ORIGINS=f"http://localhost:{app_port}") as running:
        yield running


@pytest.fixture(scope="module")
def web_app(tmp_path_factory: pytest.TempPathFactory, app_port: int) -> Iterator[None]:
    """A static site, as a citizen web app's dev server would serve it, on both loopback names:
    http://localhost:<port> (allowed) and http://127.0.0.1:<port> (another origin, not allowed)."""
    folder = tmp_path_factory.mktemp("web-app")
    (folder / "index.html").write_text("<!doctype html><title>Aplikasi warga</title>")
    httpd = ThreadingHTTPServer(("127.0.0.1", app_port), partial(QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def page_at(browser: Browser, web_app: None, app_port: int) -> Callable[[str], Awaitable[Page]]:
    """Opens the web app at http://<host>:<app_port>/ in Chromium."""

    async def open_page(host: str) -> Page:
        page = await browser.new_page()
        await page.goto(f"http://{host}:{app_port}/index.html")
        return page

    return open_page


CALL = """async ([url, init]) => {
  try {
    const response = await fetch(url, init);
    // A no-cors answer is opaque: the page learns nothing of it, not even its status.
    if (response.type === "opaque") return { opaque: true };
    return { status: response.status, body: await response.json() };
  } catch (error) {
    return { refused: String(error) };
  }
}"""


def json_post(query: str, variables: dict[str, Any] | None = None, **init: Any) -> dict[str, Any]:
    return {
        "method": "POST",
        "headers": {"content-type": "application/json", **init.pop("headers", {})},
        "body": json.dumps({"query": query, "variables": variables or {}}),
        **init,
    }


def reports_filed(server: RunningServer) -> int:
    answer = httpx.post(server.url + "/graphql", json={"query": COUNT}, timeout=10).json()
    return int(answer["data"]["reports"]["totalCount"])


async def test_an_allowed_origin_files_and_reads_with_its_own_headers(
    page_at: Callable[[str], Awaitable[Page]], server: RunningServer
) -> None:
    page = await page_at("localhost")
    before = reports_filed(server)

    init = json_post(
        FILE_REPORT, {"input": filing(title="Dari aplikasi web")}, headers={"x-sigap-device": "web-app-0001"}
    )
    answer = await page.evaluate(CALL, [server.url + "/graphql", init])

    assert answer["status"] == 200, answer
    assert answer["body"]["data"]["fileReport"]["errors"] == []
    assert reports_filed(server) == before + 1


async def test_another_origin_reads_nothing_and_files_nothing(
    page_at: Callable[[str], Awaitable[Page]], server: RunningServer
) -> None:
    page = await page_at("127.0.0.1")  # same host as the API, another port: another origin
    before = reports_filed(server)

    read = await page.evaluate(CALL, [server.url + "/graphql", json_post(COUNT)])
    write = await page.evaluate(CALL, [server.url + "/graphql", json_post(FILE_REPORT, {"input": filing()})])

    assert "Failed to fetch" in read["refused"]
    assert "Failed to fetch" in write["refused"]  # its preflight was refused: the POST never left
    assert reports_filed(server) == before


async def test_credentialed_requests_are_refused_even_from_an_allowed_origin(
    page_at: Callable[[str], Awaitable[Page]], server: RunningServer
) -> None:
    page = await page_at("localhost")

    answer = await page.evaluate(CALL, [server.url + "/graphql", json_post(COUNT, credentials="include")])

    assert "Failed to fetch" in answer["refused"]  # Sigap's credentials are headers, never cookies


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])
async def test_a_request_sent_without_a_preflight_is_still_refused(
    page_at: Callable[[str], Awaitable[Page]], server: RunningServer, host: str
) -> None:
    """text/plain is a "simple" request: the browser sends it without asking first, allowed origin
    or not. The CSRF guard refuses it; the allowed origin may read the refusal."""
    page = await page_at(host)
    before = reports_filed(server)
    init = json_post(FILE_REPORT, {"input": filing(title="Kiriman tanpa preflight")})
    init["headers"] = {"content-type": "text/plain"}
    if host == "127.0.0.1":
        init["mode"] = "no-cors"  # the only way another origin can send it at all

    answer = await page.evaluate(CALL, [server.url + "/graphql", init])

    if host == "localhost":
        assert answer["status"] == 403
        assert answer["body"]["errors"][0]["extensions"]["code"] == "PREFLIGHT_REQUIRED"
    else:
        assert answer == {"opaque": True}
    assert reports_filed(server) == before


def test_preflights_answer_the_allowed_origin_only(server: RunningServer, app_port: int) -> None:
    def preflight(origin: str) -> httpx.Response:
        return httpx.options(
            server.url + "/graphql",
            headers={
                "origin": origin,
                "access-control-request-method": "POST",
                "access-control-request-headers": "content-type, authorization, x-api-key",
            },
            timeout=10,
        )

    allowed = preflight(f"http://localhost:{app_port}")
    other = preflight(f"http://127.0.0.1:{app_port}")

    assert allowed.status_code == 200
    assert allowed.headers["access-control-allow-origin"] == f"http://localhost:{app_port}"
    assert {"authorization", "x-api-key", "content-type"} <= {
        name.strip().lower() for name in allowed.headers["access-control-allow-headers"].split(",")
    }
    assert "access-control-allow-credentials" not in allowed.headers
    assert "Origin" in allowed.headers["vary"]
    assert other.status_code == 400
    assert "access-control-allow-origin" not in other.headers
