"""The command interface: one module per command group, registered by name.

A command is a small class: ``name``, a one-line ``help``, ``examples`` shown by
``--help``, :meth:`Command.configure` to add its arguments and :meth:`Command.run`. It is
registered in the ``provgraph.commands`` entry-point group (built-ins in
``pyproject.toml``), so another package adds a command the same way. Modules import what
a command needs inside ``run``: ``provgraph --help`` stays fast.
"""

from __future__ import annotations

import argparse
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from provgraph.core import registry
from provgraph.core.registry import Registry


class Command(ABC):
    name: ClassVar[str] = ""
    help: ClassVar[str] = ""
    description: ClassVar[str] = ""  # longer text for ``--help``; ``help`` when empty
    examples: ClassVar[str] = ""  # shell lines shown under "examples:" in ``--help``

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        COMMANDS.register(cls.name, cls)

    @abstractmethod
    def configure(self, parser: argparse.ArgumentParser) -> None:
        """Add this command's arguments (and sub-commands) to ``parser``."""

    @abstractmethod
    def run(self, args: argparse.Namespace) -> int:
        """Do the work; the exit status (a :class:`~provgraph.core.errors.ProvgraphError` raised
        here becomes a one-line message and status 2)."""


def epilog(examples: str) -> str | None:
    """The ``examples:`` block of a ``--help`` page."""
    lines = [line.strip() for line in examples.strip().splitlines() if line.strip()]
    return "examples:\n" + "\n".join(f"  {line}" for line in lines) if lines else None


COMMANDS: Registry[type[Command]] = Registry("command", registry.COMMANDS)
