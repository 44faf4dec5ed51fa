"""DOT text of a view, styled as prov.dot draws PROV (entities yellow ellipses, activities
blue rectangles, agents orange houses), and SVG rendered from it by Graphviz when the
system has ``dot``."""

from __future__ import annotations

import shutil
import subprocess

from exports.views.collapse import Picture, node_text
from exports.views.model import EDGE_LABELS, FAILED_STROKE, TIMES
from exports.views.text import visible
from provgraph.core.errors import CapabilityMissingError, ProvgraphError

SHAPES = {
    "entity": 'shape=ellipse, style=filled, fillcolor="#FFFC87", color="#808080"',
    "activity": 'shape=box, style=filled, fillcolor="#9FB1FC", color="#0000FF"',
    "agent": 'shape=house, style=filled, fillcolor="#FED37F", color="#000000"',
}
GRAPHVIZ_TIMEOUT_S = 120


def quote(text: str) -> str:
    """A DOT string of captured text; controls shown (:func:`exports.views.text.visible`),
    which Graphviz would refuse."""
    text = visible(text)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def render_dot(picture: Picture, title: str) -> str:
    lines = [
        "digraph provgraph {",
        f"  label={quote(title)}; labelloc=t; fontsize=14;",
        '  rankdir=RL; fontname="DejaVu Sans";',
        '  node [fontname="DejaVu Sans", fontsize=10];',
        '  edge [fontname="DejaVu Sans", fontsize=8, color="#808080", fontcolor="#555555"];',
    ]
    for n in picture.nodes:
        style = SHAPES[n["kind"]]
        extra = ""
        if n.get("failed"):
            extra += f', color="{FAILED_STROKE}", penwidth=3'
        if n.get("count", 1) > 1:
            extra += ", peripheries=2"
        label = node_text(n)
        lines.append(f"  {quote(n['id'])} [label={quote(label)}, {style}{extra}];")
    for e in sorted(picture.edges, key=lambda e: (e["s"], e["t"], e["type"])):
        word = EDGE_LABELS.get(e["type"], e["type"])
        label = f"{word} {e['role']}" if e.get("role") else word
        if e.get("count", 1) > 1:
            label += f" {TIMES}{e['count']}"
        style = ", style=dashed" if e["type"] == "WAS_INFORMED_BY" else (
            ", style=dotted" if e["type"] == "WAS_PART_OF" else "")
        lines.append(f"  {quote(e['s'])} -> {quote(e['t'])} [label={quote(label)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def graphviz_available() -> bool:
    return shutil.which("dot") is not None


def graphviz_svg(dot_text: str) -> str:
    """SVG from Graphviz's ``dot -Tsvg``."""
    dot = shutil.which("dot")
    if dot is None:
        raise CapabilityMissingError("Graphviz (`dot`) is not installed: `apt-get install "
                                     "graphviz`, or use --layout builtin")
    try:
        done = subprocess.run([dot, "-Tsvg"], input=dot_text, capture_output=True, text=True,
                              timeout=GRAPHVIZ_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ProvgraphError(f"Graphviz took over {GRAPHVIZ_TIMEOUT_S}s: narrow the view "
                             "or use --layout builtin") from exc
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["no message"])[-1]
        raise ProvgraphError(f"Graphviz failed: {last}")
    return done.stdout


__all__ = ["graphviz_available", "graphviz_svg", "render_dot"]
