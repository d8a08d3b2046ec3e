"""The extension runner that finds hooks once per class runs the same hooks as Strawberry's own."""

from __future__ import annotations

from collections.abc import Iterator

from strawberry.extensions import SchemaExtension
from strawberry.extensions.runner import SchemaExtensionsRunner

from schema import schema
from schema.extension_hooks import KnownHooksRunner

STAGES = ("operation", "parsing", "validation", "executing")


def _hooks(runner: SchemaExtensionsRunner) -> dict[str, list[tuple[type, bool]]]:
    return {
        stage: [(type(hook.extension), hook.is_async) for hook in getattr(runner, stage)().hooks]
        for stage in STAGES
    }


def test_every_request_extension_gets_the_hooks_strawberry_would_give_it() -> None:
    extensions = schema.get_extensions()

    ours = _hooks(KnownHooksRunner(None, extensions))  # type: ignore[arg-type]

    assert ours == _hooks(SchemaExtensionsRunner(None, extensions))  # type: ignore[arg-type]
    assert sum(len(hooks) for hooks in ours.values()) >= len(extensions)  # every extension hooks in


class Counting(SchemaExtension):
    runs: list[str] = []  # noqa: RUF012 - the test reads what the hooks did

    def on_validate(self) -> Iterator[None]:
        self.runs.append("validating")
        yield
        self.runs.append("validated")

    def on_execute(self) -> None:  # a plain callable: left to Strawberry's own wrapping
        self.runs.append("executing")


async def test_hooks_of_each_kind_run_around_their_stage_once_per_request() -> None:
    runner = KnownHooksRunner(None, [Counting(), Counting()])  # type: ignore[arg-type]
    with runner.validation():
        Counting.runs.append("-")
    async with runner.executing():
        pass

    assert Counting.runs == [
        "validating",
        "validating",
        "-",
        "validated",
        "validated",
        "executing",
        "executing",
    ]
