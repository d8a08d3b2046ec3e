"""GraphiQL in development, served entirely by Sigap: the page and its assets (GraphiQL, its
explorer plugin, React) live in server/graphiql_assets, so the IDE works with no internet.
tools/vendor-graphiql.sh re-fetches the pinned versions from npm (see README, "GraphiQL")."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

GRAPHIQL_ASSETS = Path(__file__).resolve().parent / "graphiql_assets"
GRAPHIQL_PAGE = (GRAPHIQL_ASSETS / "index.html").read_text(encoding="utf-8")


def graphiql_assets_route() -> Mount:
    return Mount("/graphiql/assets", StaticFiles(directory=GRAPHIQL_ASSETS), name="graphiql-assets")
