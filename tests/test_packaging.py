"""pyproject.toml declares every third-party package the code imports: the packaged modules' in the
dependencies (or the extra that turns their feature on), the tests' in the test extra. A package that
arrives only as another one's dependency may leave with it."""

from __future__ import annotations

import ast
import importlib.util
import sys
import tomllib
from importlib.metadata import distribution, packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parent.parent
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
PACKAGES = ["models", "resolvers", "schema", "realtime", "server", "federation"]
OURS = {*PACKAGES, "tests", "bench", "tools"}


def declared(*groups: str) -> set[str]:
    requirements = list(PROJECT["dependencies"])
    for group in groups:
        requirements += PROJECT["optional-dependencies"][group]
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def imported_distributions(folders: list[str]) -> dict[str, set[str]]:
    """Each distribution that an `import` in these folders needs (lazy imports included) -> files."""
    providers = packages_distributions()
    needed: dict[str, set[str]] = {}
    for folder in folders:
        for path in (REPO / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(), str(path))):
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [f"{node.module}.{alias.name}" for alias in node.names]
                else:
                    continue
                for name in names:
                    top = name.split(".", 1)[0]
                    if top in OURS or top in sys.stdlib_module_names:
                        continue
                    for provider in _providers(name, providers.get(top, [top])):
                        needed.setdefault(canonicalize_name(provider), set()).add(str(path.relative_to(REPO)))
    return needed


def _providers(module: str, candidates: list[str]) -> list[str]:
    """The distribution that holds `module`: in a namespace package many distributions share the
    top-level name (opentelemetry), and only the one holding the imported module is needed."""
    if len(candidates) < 2:
        return candidates
    origin = _origin(module)
    for candidate in candidates:
        files = distribution(candidate).files or []
        if origin and any(Path(str(file.locate())).resolve() == origin for file in files):
            return [candidate]
    return candidates


def _origin(module: str) -> Path | None:
    """The file of `module`, or of the nearest enclosing module (`from a.b import name` may name a
    class, not a module)."""
    while module:
        try:
            spec = importlib.util.find_spec(module)
        except (ImportError, ValueError):
            spec = None
        if spec and spec.origin and spec.origin != "namespace":
            return Path(spec.origin).resolve()
        module = module.rpartition(".")[0]
    return None


@pytest.mark.parametrize(
    ("folders", "groups"),
    [(PACKAGES, ("s3",)), (["tests"], ("s3", "test"))],
    ids=["packaged modules", "tests"],
)
def test_every_imported_package_is_declared(folders: list[str], groups: tuple[str, ...]) -> None:
    undeclared = {
        distribution: sorted(files)
        for distribution, files in imported_distributions(folders).items()
        if distribution not in declared(*groups)
    }

    assert undeclared == {}


def test_the_build_backend_understands_the_licence_string() -> None:
    """`license = "Apache-2.0"` (an SPDX expression, PEP 639) needs setuptools 77 or newer."""
    build = tomllib.loads((REPO / "pyproject.toml").read_text())["build-system"]
    setuptools = next(Requirement(r) for r in build["requires"] if Requirement(r).name == "setuptools")

    assert PROJECT["license"] == "Apache-2.0"
    assert not setuptools.specifier.contains("76.9")
    assert setuptools.specifier.contains("77.0")
