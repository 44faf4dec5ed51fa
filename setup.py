"""Build step of the wheel: the HTML view's JavaScript libraries become package data.

cytoscape and cytoscape-dagre come from npm (pinned by exports/views/js/package-lock.json;
never committed): ``npm ci`` runs when they are not installed yet, and the two files the
page inlines are copied to ``exports/views/vendor/`` inside the wheel, so a pip user writes
pages offline. Without npm the wheel is built without them, and writing an HTML view says
how to get them (SVG and DOT need nothing).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
JS = HERE / "exports" / "views" / "js"
LIBRARIES = (("cytoscape", "dist/cytoscape.min.js"),
             ("cytoscape-dagre", "dist/cytoscape-dagre.min.js"))


class BuildPyWithViewLibraries(build_py):
    def run(self) -> None:
        super().run()
        modules = JS / "node_modules"
        if not all((modules / name / path).is_file() for name, path in LIBRARIES):
            npm = shutil.which("npm")
            if npm is None:
                print("provgraph build: npm not found, the wheel has no JavaScript for HTML "
                      "views (provgraph viz --install-js adds it later)", file=sys.stderr)
                return
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"],
                           cwd=JS, check=True)
        vendor = Path(self.build_lib) / "exports" / "views" / "vendor"
        for name, path in LIBRARIES:
            for part in (path, "package.json", "LICENSE"):
                source = modules / name / part
                if source.is_file():
                    target = vendor / name / part
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copyfile(source, target)


setup(cmdclass={"build_py": BuildPyWithViewLibraries})
