"""The committed schema.graphql is the contract clients code against: it must match what is served."""

from __future__ import annotations

import re
from pathlib import Path

from schema import schema

SCHEMA_FILE = Path(__file__).resolve().parent.parent / "schema.graphql"


def test_committed_schema_matches_the_served_schema() -> None:
    served = schema.as_str() + "\n"

    assert SCHEMA_FILE.read_text() == served, (
        "schema.graphql is out of date: run `make schema` and review the difference"
    )


def test_contract_names_are_present() -> None:
    # Described arguments print one a line under their descriptions: compare without either.
    sdl = re.sub(r'"""[\s\S]*?"""|"[^"\n]*"\n', "", SCHEMA_FILE.read_text())
    sdl = re.sub(r"\(\s+", "(", sdl)
    for name in [
        "categories", "agencies", "areas", "report(id: ID", "reports(first: Int",
        "fileReport(input:", "updateReportStatus(input:", "assignReport(input:", "rerouteReport(input:",
        "totalCount", "pageInfo", "cursor",
    ]:  # fmt: skip
        assert name in sdl
