"""The city wall: a full-screen page for the command center, served by Sigap itself.

Plain HTML, CSS and JavaScript with no external resources (no CDN, no tile server): the map
plots open reports over the land and kecamatan of server/wall_map.py. The page speaks
graphql-transport-ws to /graphql and resumes from its last cursor after any disconnect.
"""

from __future__ import annotations

import html
from pathlib import Path

from starlette.requests import Request
from starlette.responses import HTMLResponse

WALL_ASSETS = Path(__file__).resolve().parent / "wall_page"
_TEMPLATE = (WALL_ASSETS / "index.html").read_text(encoding="utf-8")


async def wall_page(request: Request) -> HTMLResponse:
    area = request.app.state.settings.service_area.bounds
    page = _TEMPLATE.replace(
        "{{SERVICE_AREA}}", html.escape(f"{area.min_lat},{area.min_lon},{area.max_lat},{area.max_lon}")
    ).replace("{{TIMEZONE}}", html.escape(request.app.state.settings.timezone))
    host = request.headers.get("host", "")
    return HTMLResponse(
        page,
        headers={
            # Everything comes from this server; nothing else may load or run.
            "Content-Security-Policy": f"default-src 'self'; connect-src 'self' ws://{host} wss://{host}",
            "Cache-Control": "no-cache",
        },
    )
