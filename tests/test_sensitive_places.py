"""Sensitive places (issue 11, items 1-3): sensitivity comes from the category now, never from the
shape of the coordinates; changing it re-places the reports; areas say no more than the rounded point."""

from __future__ import annotations

from typing import Any

import pytest

from models import Role
from tests.conftest import Database
from tests.graphql import FILE_REPORT, filing, gql, staff

ON_THE_GRID = {
    "ORANG_HILANG": {"lat": -10.17, "lon": 123.61},
    "PENGEMIS": {"lat": -10.2, "lon": 123.6},
}
PATHS = {
    "code": "query($code: String) { report(code: $code) { location { lat lon } address } }",
    "id": "query($id: ID) { report(id: $id) { location { lat lon } address } }",
    "node": "query($id: ID!) { node(id: $id) { ... on Report { location { lat lon } address } } }",
    "edge": "{ reports(first: 5) { edges { node { location { lat lon } address } } } }",
}


def _places(data: Any) -> list[dict[str, Any]]:
    if isinstance(data, dict):
        if "address" in data:
            return [data]
        return [place for value in data.values() for place in _places(value)]
    if isinstance(data, list):
        return [place for item in data for place in _places(item)]
    return []


@pytest.mark.parametrize("path", list(PATHS))
@pytest.mark.parametrize("category", list(ON_THE_GRID))
async def test_a_sensitive_address_stays_hidden_when_the_point_lies_on_the_grid(
    db: Database, category: str, path: str
) -> None:
    point = ON_THE_GRID[category]
    form = filing(categoryCode=category, location=point, address="Rumah no. 7")
    filed = (await gql(FILE_REPORT, {"input": form}))["fileReport"]["report"]
    dinsos = await staff(Role.OFFICER, "DINSOS", "Officer Dinsos")
    query = PATHS[path]
    variables = {name: filed[name] for name in ("code", "id") if f"${name}" in query}

    public = _places(await gql(query, variables))
    agency = _places(await gql(query, variables, principal=dinsos))

    assert public == [{"location": point, "address": None}]
    assert agency == [{"location": point, "address": "Rumah no. 7"}]
