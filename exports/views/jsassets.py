"""The JavaScript libraries the HTML view inlines (cytoscape, cytoscape-dagre), from npm.

They are never in the repository. Where they are looked for, in order:

1. ``$PROVGRAPH_JS_DIR`` (a ``node_modules`` folder, or a folder holding one);
2. ``exports/views/vendor/`` — package data a wheel build puts there (``setup.py`` runs
   ``npm ci`` on ``exports/views/js/package-lock.json`` and copies the two files);
3. ``exports/views/js/node_modules/`` — a checkout, after ``make js``;
4. ``~/.cache/provgraph/js/node_modules/`` — filled by :func:`install` (``provgraph viz
   --install-js``), for an install from source without the vendored files.

The versions are pinned by ``exports/views/js/package.json`` and its lock file; a page
names the versions it inlined.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from provgraph.core.errors import CapabilityMissingError

HERE = Path(__file__).resolve().parent
MANIFEST_DIR = HERE / "js"
VENDOR_DIR = HERE / "vendor"
CACHE_DIR = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "provgraph" / "js"
# (npm package, file inlined), in load order.
LIBRARIES: tuple[tuple[str, str], ...] = (
    ("cytoscape", "dist/cytoscape.min.js"),
    ("cytoscape-dagre", "dist/cytoscape-dagre.min.js"),
)


@dataclass(frozen=True)
class Library:
    name: str
    version: str
    text: str


def candidates() -> list[Path]:
    """``node_modules``-shaped folders to look in, in order."""
    found: list[Path] = []
    env = os.environ.get("PROVGRAPH_JS_DIR")
    if env:
        base = Path(env).expanduser()
        found.append(base / "node_modules" if (base / "node_modules").is_dir() else base)
    found += [VENDOR_DIR, MANIFEST_DIR / "node_modules", CACHE_DIR / "node_modules"]
    return found


def _complete(folder: Path) -> bool:
    return all((folder / name / path).is_file() for name, path in LIBRARIES)


def libraries() -> list[Library]:
    """The libraries' code, from the first complete folder of :func:`candidates`."""
    for folder in candidates():
        if _complete(folder):
            out = []
            for name, path in LIBRARIES:
                version = "?"
                manifest = folder / name / "package.json"
                if manifest.is_file():
                    version = str(json.loads(manifest.read_text(encoding="utf-8"))
                                  .get("version", "?"))
                out.append(Library(name, version,
                                   (folder / name / path).read_text(encoding="utf-8")))
            return out
    raise CapabilityMissingError(
        "the HTML view needs the cytoscape and cytoscape-dagre JavaScript libraries: run "
        "`make js` in a checkout, or `provgraph viz --install-js` (needs npm); SVG and DOT "
        "views work without them")


def install(target: Path = CACHE_DIR) -> Path:
    """``npm ci`` of the pinned libraries into ``target`` (default: the user cache)."""
    npm = shutil.which("npm")
    if npm is None:
        raise CapabilityMissingError("npm is not installed: install Node.js (e.g. "
                                     "`apt-get install npm`) or use a provgraph wheel")
    target.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copyfile(MANIFEST_DIR / name, target / name)
    done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts",
                           "--omit=dev"], cwd=target, capture_output=True, text=True,
                          check=False)
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["npm failed"])[-1]
        raise CapabilityMissingError(f"npm ci in {target} failed: {last}")
    return target / "node_modules"


__all__ = ["LIBRARIES", "Library", "candidates", "install", "libraries"]
