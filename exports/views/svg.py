"""SVG of a view without Graphviz: a small layered layout (Sugiyama style) and PROV shapes.

Layers by longest path, so the oldest values stand on the left and time runs to the right
(every PROV edge points from the newer node to the one it depends on); order within a
layer by a few barycenter sweeps, which untangles most crossings of workflow graphs.
"""

from __future__ import annotations

from typing import Any
from xml.sax.saxutils import escape as _xml_escape

from exports.views.collapse import Picture, node_text
from exports.views.model import EDGE_LABELS, FAILED_STROKE, STYLE, TIMES
from exports.views.text import visible


def escape(text: str, entities: dict[str, str] | None = None) -> str:
    """XML text of captured text: escaped, controls shown (:func:`exports.views.text.visible`)."""
    return _xml_escape(visible(text), entities or {})

CHAR_W = 6.6
NODE_H = 30
LAYER_GAP = 90
ROW_GAP = 18
MARGIN = 30
TOP = 60
SWEEPS = 4


def _width(label: str) -> float:
    return max(50.0, min(220.0, CHAR_W * len(label) + 24))


def _layers(ids: list[str], out: dict[str, list[str]]) -> dict[str, int]:
    """Longest path to a node with no outgoing edge (rank 0: the oldest), cycles cut."""
    rank: dict[str, int] = {}
    for root in ids:
        if root in rank:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        on_path: set[str] = set()
        while stack:
            node, index = stack.pop()
            if index == 0:
                on_path.add(node)
            children = out.get(node, [])
            if index < len(children):
                stack.append((node, index + 1))
                child = children[index]
                if child not in rank and child not in on_path:
                    stack.append((child, 0))
                continue
            on_path.discard(node)
            rank[node] = 1 + max((rank[c] for c in children if c in rank), default=-1)
    return rank


def layout(picture: Picture) -> dict[str, tuple[float, float, float]]:
    """id -> (x center, y center, width)."""
    ids = [n["id"] for n in picture.nodes]
    out: dict[str, list[str]] = {}
    inn: dict[str, list[str]] = {}
    for e in picture.edges:
        out.setdefault(e["s"], []).append(e["t"])
        inn.setdefault(e["t"], []).append(e["s"])
    rank = _layers(ids, out)
    for node_id in ids:  # an input used by one newer node stands next to it, not far left
        if not out.get(node_id) and inn.get(node_id):
            rank[node_id] = max(0, min(rank[n] for n in inn[node_id]) - 1)
    layers: dict[int, list[str]] = {}
    for node_id in ids:
        layers.setdefault(rank[node_id], []).append(node_id)
    order = {node_id: i for layer in layers.values() for i, node_id in enumerate(layer)}
    keys = sorted(layers)
    for sweep in range(SWEEPS):
        sequence = keys if sweep % 2 == 0 else keys[::-1]
        for k in sequence:
            layer = layers[k]

            def center(node_id: str, sweep: int = sweep) -> float:
                near = (inn if sweep % 2 == 0 else out).get(node_id, [])
                spots = [order[n] for n in near if n in order]
                return sum(spots) / len(spots) if spots else order[node_id]

            layer.sort(key=lambda n: (center(n), order[n]))
            for i, node_id in enumerate(layer):
                order[node_id] = i
    labels = {n["id"]: node_text(n) for n in picture.nodes}
    widths = {i: _width(labels[i]) for i in ids}
    column = {k: max(widths[i] for i in layers[k]) for k in keys}
    tallest = max((len(layer) for layer in layers.values()), default=1)
    height = tallest * (NODE_H + ROW_GAP)
    places: dict[str, tuple[float, float, float]] = {}
    x = float(MARGIN)
    for k in keys:
        layer = layers[k]
        offset = (height - len(layer) * (NODE_H + ROW_GAP)) / 2
        for i, node_id in enumerate(layer):
            y = TOP + offset + i * (NODE_H + ROW_GAP) + NODE_H / 2
            places[node_id] = (x + column[k] / 2, y, widths[node_id])
        x += column[k] + LAYER_GAP
    return places


def _shape(node: dict[str, Any], x: float, y: float, w: float) -> str:
    style = STYLE[node["kind"]]
    stroke = FAILED_STROKE if node.get("failed") else style["stroke"]
    width = 3 if node.get("failed") else 1.2
    attrs = f'fill="{style["fill"]}" stroke="{stroke}" stroke-width="{width}"'
    h = NODE_H
    if node["kind"] == "entity":
        shape = f'<ellipse cx="{x:.1f}" cy="{y:.1f}" rx="{w / 2:.1f}" ry="{h / 2:.1f}" {attrs}/>'
    elif node["kind"] == "agent":
        left, right, top, bottom = x - w / 2, x + w / 2, y - h / 2 - 4, y + h / 2
        points = (f"{left:.1f},{bottom:.1f} {left:.1f},{y - 2:.1f} {x:.1f},{top:.1f} "
                  f"{right:.1f},{y - 2:.1f} {right:.1f},{bottom:.1f}")
        shape = f'<polygon points="{points}" {attrs}/>'
    else:
        shape = (f'<rect x="{x - w / 2:.1f}" y="{y - h / 2:.1f}" width="{w:.1f}" '
                 f'height="{h}" {attrs}/>')
    if node.get("count", 1) > 1:  # a collapsed group: a second outline, as peripheries=2
        shape = (f'<rect x="{x - w / 2 - 3:.1f}" y="{y - h / 2 - 3:.1f}" width="{w + 6:.1f}" '
                 f'height="{h + 6}" fill="none" stroke="{stroke}" stroke-width="1"/>' + shape)
    label = node_text(node)
    text = (f'<text x="{x:.1f}" y="{y + 4:.1f}" text-anchor="middle">{escape(label)}</text>')
    return (f'<g class="node {node["kind"]}" data-id="{escape(node["id"], {chr(34): "&quot;"})}">'
            f"<title>{escape(node['id'])}</title>{shape}{text}</g>")


def render_svg(picture: Picture, title: str) -> str:
    places = layout(picture)
    width = max((x + w / 2 for x, _, w in places.values()), default=200) + MARGIN
    height = max((y + NODE_H for _, y, _ in places.values()), default=100) + MARGIN
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="DejaVu Sans, Arial, sans-serif" '
        'font-size="11">',
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" '
        'markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#808080"/></marker></defs>',
        '<rect width="100%" height="100%" fill="#ffffff"/>',
        f'<text x="{MARGIN}" y="28" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for e in sorted(picture.edges, key=lambda e: (e["s"], e["t"], e["type"])):
        if e["s"] not in places or e["t"] not in places:
            continue
        x1, y1, w1 = places[e["s"]]
        x2, y2, w2 = places[e["t"]]
        start = (x1 - w1 / 2, y1) if x1 > x2 else (x1 + w1 / 2, y1)
        end = (x2 + w2 / 2, y2) if x1 > x2 else (x2 - w2 / 2, y2)
        bend = (start[0] - end[0]) / 2
        dash = ' stroke-dasharray="5,3"' if e["type"] == "WAS_INFORMED_BY" else (
            ' stroke-dasharray="2,3"' if e["type"] == "WAS_PART_OF" else "")
        word = EDGE_LABELS.get(e["type"], e["type"])
        label = f"{word} {e['role']}" if e.get("role") else word
        if e.get("count", 1) > 1:
            label += f" {TIMES}{e['count']}"
        mx, my = (start[0] + end[0]) / 2, (start[1] + end[1]) / 2
        parts.append(
            f'<g class="edge {e["type"]}"><path d="M{start[0]:.1f},{start[1]:.1f} C'
            f'{start[0] - bend:.1f},{start[1]:.1f} {end[0] + bend:.1f},{end[1]:.1f} '
            f'{end[0]:.1f},{end[1]:.1f}" fill="none" stroke="#808080" stroke-width="1.2"'
            f'{dash} marker-end="url(#arrow)"/><text x="{mx:.1f}" y="{my - 3:.1f}" '
            f'font-size="8" fill="#555" text-anchor="middle">{escape(label)}</text></g>')
    for node in picture.nodes:
        x, y, w = places[node["id"]]
        parts.append(_shape(node, x, y, w))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


__all__ = ["layout", "render_svg"]
