"""`schema`, `models`, `realtime`... are also names of PyPI packages: ours must be the ones imported."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("package", ["models", "resolvers", "schema", "realtime", "server", "federation"])
def test_project_packages_come_from_this_repository(package: str) -> None:
    module = importlib.import_module(package)

    assert module.__file__ is not None
    assert Path(module.__file__).resolve().is_relative_to(REPO), module.__file__
