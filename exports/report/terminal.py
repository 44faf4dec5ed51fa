"""The markdown card rendered in the terminal with rich (``print_markdown=True``)."""

from __future__ import annotations

import sys
from typing import IO

from provgraph.core.errors import ReportDependencyMissing


def check_rich() -> None:
    try:
        import rich  # noqa: F401
    except ModuleNotFoundError as exc:
        raise ReportDependencyMissing(
            "print_markdown needs rich: pip install 'provgraph[report]'") from exc


def print_markdown(text: str, stream: IO[str] | None = None) -> None:
    check_rich()
    from rich.console import Console
    from rich.markdown import Markdown

    out = stream or sys.stdout
    console = Console(file=out, soft_wrap=False,
                      force_terminal=getattr(out, "isatty", lambda: False)())
    console.print(Markdown(text, code_theme="ansi_light", inline_code_lexer=None))
