"""``import capture`` and the step decorator need none of the ``workflow`` extra; building
a workflow from a config says which extra to install."""

from __future__ import annotations

import subprocess
import sys
import textwrap

PROGRAM = textwrap.dedent('''
    import sys

    class Missing:
        """As if colt, rjsonnet and cloudpickle were not installed."""

        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in {"colt", "rjsonnet", "cloudpickle"}:
                raise ModuleNotFoundError(f"No module named {name!r}", name=name)
            return None

    sys.meta_path.insert(0, Missing())

    import capture
    from provgraph import workflow

    @workflow.step
    def add_two_integers(a: int, b: int) -> int:
        return a + b

    print("imported", add_two_integers(1, 2))
    try:
        workflow.WorkflowGraph.from_config(
            {"steps": {"result": {"type": "add_two_integers", "a": 1, "b": 2}}})
    except capture.ProvgraphError as exc:
        print(exc)
    print(sorted(m for m in sys.modules if m.split(".")[0] in {"colt", "rjsonnet", "cloudpickle"}))
''')


def test_capture_imports_without_the_workflow_extra() -> None:
    done = subprocess.run([sys.executable, "-c", PROGRAM], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "imported 3",
        "building a workflow from a config needs 'colt', which is not installed: "
        "pip install 'provgraph[workflow]'",
        "[]",
    ]


def test_reading_settings_loads_no_more_of_the_package_than_its_section() -> None:
    program = ("import sys\nfrom provgraph.core.config import load_settings\n"
               "print(load_settings().workflow.organizer)\n"
               "print(sorted(m for m in sys.modules if m.startswith('provgraph.workflow.')))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["filesystem", "['provgraph.workflow.config']"]


def test_every_public_name_resolves() -> None:
    from provgraph import workflow

    assert all(getattr(workflow, name) is not None for name in workflow.__all__)
    assert set(dir(workflow)) >= set(workflow.__all__)
