"""``provgraph demo``: the demo workflow, captured, kept and queried back."""

from __future__ import annotations

import argparse
from typing import Any

from provgraph.cli.base import Command
from provgraph.core.config import get_settings


class DemoCommand(Command):
    name = "demo"
    help = "run the demo workflow on the embedded default"
    description = ("Run a small train-and-evaluate workflow with the capture API, keep it "
                   "with an in-process keeper and read it back from the store.")
    examples = """
        provgraph demo
        provgraph demo --epochs 5
        PROVGRAPH_HUB=redis PROVGRAPH_STORE=neo4j provgraph demo
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--epochs", type=int, default=3, help="training epochs (default 3)")

    def run(self, args: argparse.Namespace) -> int:
        from capture import Flowcept
        from provgraph.cli import demo_workflow

        settings = get_settings()
        print(f"provgraph demo: capture -> {settings.hub.kind} hub -> keeper -> "
              f"{settings.store.kind} store")
        flowcept = demo_workflow.run(epochs=args.epochs)  # start_persistence: in-process keeper
        print(f"workflow {flowcept.current_workflow_id} ({flowcept.workflow_name})")
        for line in demo_workflow.summary(flowcept.get_buffer()):
            print(line)
        tasks = Flowcept.db.get_tasks_from_current_workflow()
        print(f"stored tasks (Flowcept.db.get_tasks_from_current_workflow()): {len(tasks)}")
        for task in tasks:
            used = ", ".join(sorted(task.get("used", {})))
            generated = ", ".join(sorted(task.get("generated", {})))
            print(f"  {task['activity_id']:<22} {task.get('status', '?'):<9} "
                  f"used [{used}] -> generated [{generated}]")
        evaluated = [t for t in tasks if t["activity_id"] == "evaluate"]
        if evaluated:
            upstream = Flowcept.db.upstream(evaluated[0]["task_id"], depth=10)
            by_id = {t["task_id"]: t["activity_id"] for t in tasks}
            names = sorted({by_id[h["id"]] for h in upstream if h["id"] in by_id})
            print(f"lineage: evaluate was informed by {', '.join(names)} "
                  f"(Flowcept.db.upstream, {len(upstream)} nodes)")
        counts = Flowcept.db.store.counts()
        print("graph: " + ", ".join(f"{k}={v}" for k, v in sorted(counts["nodes"].items())))
        if settings.hub.kind == "file":
            print(f"buffer file: {settings.buffer_file.resolve()}")
        if settings.store.kind == "embedded":
            print(f"embedded store: {settings.embedded_store_dir.resolve()}")
        for line in next_steps(str(flowcept.current_workflow_id), tasks):
            print(line)
        return 0


def next_steps(workflow_id: str, tasks: list[dict[str, Any]]) -> list[str]:
    """The three commands to try next, with this run's ids."""
    last = next((t for t in reversed(tasks) if t.get("activity_id") == "write_report"),
                tasks[-1] if tasks else None)
    steps = [(f"provgraph viz --workflow {workflow_id} -o demo.html", "the view, in a browser"),
             (f"provgraph report --workflow {workflow_id}", "the provenance card")]
    if last is not None:
        steps.append((f"provgraph lineage upstream {last['task_id']}",
                      f"what {last.get('activity_id')} was derived from"))
    width = max(len(command) for command, _ in steps)
    return ["", "try next:", *(f"  {command.ljust(width)}   # {why}" for command, why in steps)]
