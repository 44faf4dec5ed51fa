"""Captured text made safe to draw: a control character (a NUL, a bell, an escape) or a
non-character is shown as a visible stand-in instead of reaching the picture, where XML
(SVG) cannot hold it and Graphviz (DOT) refuses it."""

from __future__ import annotations

import re
from typing import Final

# C0 controls but tab and newline, DEL, C1 controls, surrogates, U+FFFE/U+FFFF.
_HIDDEN: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _stand_in(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # the Unicode control picture: NUL shows as U+2400
    if code == 0x7F:
        return "\u2421"
    return "\ufffd"


def visible(text: str) -> str:
    """``text`` with every character a picture cannot hold replaced by a visible one."""
    return text if _HIDDEN.search(text) is None else _HIDDEN.sub(_stand_in, text)
