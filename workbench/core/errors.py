"""Error types. Every user-facing failure is one of these and prints as one clear line."""

from __future__ import annotations

from dataclasses import dataclass


class WorkbenchError(Exception):
    """Base class: its str() is a one-line message meant for the user."""


class ParamError(WorkbenchError, ValueError):
    """A parameter value is invalid (wrong type, out of range, unknown choice)."""


class GraphError(WorkbenchError):
    """An edit to the graph is refused (incompatible link, cycle, unknown node or port)."""


class RegistryError(WorkbenchError):
    """The node registry is inconsistent (duplicate id, bad declaration)."""


class NodeInputError(WorkbenchError):
    """Raised by a node when its input is not something it can process."""


@dataclass(frozen=True)
class Problem:
    """One problem found while loading or validating a pipeline."""

    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message


class PipelineError(WorkbenchError):
    """A pipeline file or graph has one or more problems; all of them are listed."""

    def __init__(self, problems: list[Problem], source: str = ""):
        self.problems = list(problems)
        self.source = source
        n = len(self.problems)
        head = f"{source}: " if source else ""
        first = str(self.problems[0]) if self.problems else "invalid pipeline"
        more = f" (+{n - 1} more problem{'s' if n > 2 else ''})" if n > 1 else ""
        super().__init__(f"{head}{first}{more}")
