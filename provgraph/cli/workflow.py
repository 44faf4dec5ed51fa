"""``provgraph workflow run|schema|visualize|why``: cached step workflows (the Formed guide).

The step modules come from the workflow settings file (``required_modules`` in
``provgraph-workflow.yml`` or Formed's ``formed.yml``, in the working directory or beside
the config; ``--settings`` names one).
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson

from provgraph.cli.base import Command, epilog

if TYPE_CHECKING:
    from provgraph.workflow.execution import StepOutcome, WorkflowExecutionContext
    from provgraph.workflow.graph import WorkflowGraph
    from provgraph.workflow.visualize import Mark


def _common(parser: argparse.ArgumentParser, config: bool = True) -> None:
    if config:
        parser.add_argument("config", help="the workflow config (.jsonnet or .json)")
        parser.add_argument("--overrides", metavar="JSON",
                            help="a JSON/Jsonnet object (or a file) of dotted paths to values, "
                                 "e.g. '{\"steps.result.b\": 5}'")
    parser.add_argument("--settings", metavar="FILE",
                        help="the workflow settings file (default: provgraph-workflow.yml or "
                             "formed.yml in the working directory, then beside the config)")


def _preview(value: Any, width: int = 40) -> str:
    if value is None:
        return ""
    if isinstance(value, dict) and set(value) == {"type", "repr"}:
        text = str(value["repr"])
    else:
        text = orjson.dumps(value).decode()
    return text if len(text) <= width else text[: width - 3] + "..."


def view(graph: WorkflowGraph, marks: dict[str, Mark]) -> str:
    """The DAG as the user sees it (a text DAG; the place for a graphical view)."""
    from provgraph.workflow.visualize import render_text

    return render_text(graph, marks, title=f"workflow {graph.source or ''}".rstrip())


class WorkflowCommand(Command):
    name = "workflow"
    help = "cached step workflows: run a config, its JSON schema, its DAG, why a step re-ran"
    description = ("Run Formed-style step workflows from Jsonnet/JSON configs. A step runs "
                   "again only when its fingerprint changes (source and helpers, arguments, "
                   "upstream results); every run and cache hit is recorded in the provenance "
                   "graph, which `why` reads.")
    examples = """
        provgraph workflow run config.jsonnet
        provgraph workflow run config.jsonnet --step model --overrides '{"steps.model.epochs": 5}'
        provgraph workflow run config.jsonnet --force model --force-downstream
        provgraph workflow visualize config.jsonnet
        provgraph workflow why model
        provgraph workflow why model config.jsonnet
        provgraph workflow schema --output schema.json
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)

        def action(name: str, help: str, description: str, examples: str
                   ) -> argparse.ArgumentParser:
            return actions.add_parser(name, help=help, description=description,
                                      epilog=epilog(examples),
                                      formatter_class=argparse.RawDescriptionHelpFormatter)

        run = action("run", "run a workflow config",
                     "Run the steps of CONFIG in dependency order, each served from the cache "
                     "when its fingerprint has a complete entry.", """
                        provgraph workflow run config.jsonnet
                        provgraph workflow run config.jsonnet --step model
                        provgraph workflow run config.jsonnet --overrides '{"steps.model.lr": 0.1}'
                        provgraph workflow run config.jsonnet --force          (every step)
                        provgraph workflow run config.jsonnet --force dataset --force-downstream
                     """)
        _common(run)
        run.add_argument("--step", metavar="NAME", help="run only this step and what it needs")
        run.add_argument("--force", nargs="?", const="*", action="append", metavar="STEP",
                         help="re-run STEP (every step without a name) whatever the cache "
                              "holds; may be given more than once")
        run.add_argument("--force-downstream", action="store_true",
                         help="also re-run every step downstream of a forced one")
        run.add_argument("--execution-id", metavar="ID", help="the execution's id (default: new)")
        run.add_argument("--json", action="store_true", help="print the execution as JSON")
        schema = action("schema", "write a JSON Schema of the registered steps",
                        "A JSON Schema of the steps the settings file's modules register, for "
                        "completion and checks in an editor (\"$schema\": \"./schema.json\" in "
                        "a JSON config).", """
                            provgraph workflow schema --output schema.json
                            provgraph workflow schema --settings formed.yml
                        """)
        _common(schema, config=False)
        schema.add_argument("--output", "-o", metavar="FILE", help="write here (default: stdout)")
        visual = action("visualize", "show the DAG, cached steps marked",
                        "Show CONFIG's steps and their dependencies, each marked with what a run "
                        "would do (nothing runs).", """
                            provgraph workflow visualize config.jsonnet
                            provgraph workflow visualize config.jsonnet --step model
                        """)
        _common(visual)
        visual.add_argument("--step", metavar="NAME", help="only this step and what it needs")
        why = action("why", "say why a step ran again (or would)",
                     "Without CONFIG: why the last recorded run of STEP ran (the fingerprint "
                     "part that changed since the run before). With CONFIG: what a run now "
                     "would do with STEP, against its last recorded run. Read from the "
                     "provenance graph.", """
                        provgraph workflow why model
                        provgraph workflow why model config.jsonnet
                        provgraph workflow why model --json
                     """)
        why.add_argument("step", help="the step's name in the config")
        why.add_argument("config", nargs="?", help="the workflow config")
        why.add_argument("--overrides", metavar="JSON", help="as for run")
        why.add_argument("--settings", metavar="FILE", help="as for run")
        why.add_argument("--json", action="store_true", help="print the explanation as JSON")

    def run(self, args: argparse.Namespace) -> int:
        action = getattr(self, f"_{args.action}")
        code: int = action(args)
        return code

    # --- run -------------------------------------------------------------------------------

    def _run(self, args: argparse.Namespace) -> int:
        from provgraph.workflow import WorkflowCallback, WorkflowStepError, prepare
        from provgraph.workflow.runner import run_prepared

        prepared = prepare(args.config, settings=args.settings, overrides=args.overrides,
                           step=args.step)
        total = len(prepared.graph)
        done = 0
        started = time.perf_counter()

        def progress(outcome: StepOutcome) -> None:
            nonlocal done
            done += 1
            timing = f"{outcome.duration_s:.2f}s" if outcome.status == "ran" else ""
            print(f"[{done}/{total}] {outcome.name:<20} {outcome.status:<7} {timing:>7}  "
                  f"{outcome.fingerprint[:8]}", file=sys.stderr, flush=True)

        class Running(WorkflowCallback):
            def on_step_start(self, step_context: Any, execution_context: Any) -> None:
                print(f"[{done + 1}/{total}] {step_context.info.name:<20} running...",
                      file=sys.stderr, flush=True)

        try:
            ctx = run_prepared(prepared, force=args.force,
                               force_downstream=args.force_downstream,
                               execution_id=args.execution_id, on_outcome=progress,
                               callbacks=[Running()])
        except WorkflowStepError as exc:
            cause = exc.__cause__
            if cause is not None:
                traceback.print_exception(cause, file=sys.stderr)
            print(f"provgraph workflow: {exc}", file=sys.stderr)
            return 1
        if args.json:
            from provgraph.workflow.organizer import execution_summary

            print(orjson.dumps(execution_summary(ctx), option=orjson.OPT_INDENT_2).decode())
        else:
            self._print_summary(ctx, time.perf_counter() - started)
        return 0

    @staticmethod
    def _print_summary(ctx: WorkflowExecutionContext, elapsed: float) -> None:
        outcomes = list(ctx.outcomes.values())
        ran = sum(1 for o in outcomes if o.status == "ran")
        print(f"execution {ctx.state.execution_id}: {len(outcomes)} "
              f"step{'s' if len(outcomes) != 1 else ''}, {ran} ran, "
              f"{len(outcomes) - ran} cached, {elapsed:.2f}s"
              + (f" (workflow {ctx.workflow_id})" if ctx.workflow_id else ""))
        rows = [("step", "type", "status", "time", "fingerprint", "result")]
        for outcome in outcomes:
            info = ctx.info.graph[outcome.name]
            rows.append((outcome.name, info.type,
                         outcome.status + (f" ({outcome.reason})" if outcome.reason in
                                           ("forced", "not cacheable") else ""),
                         f"{outcome.duration_s:.2f}s" if outcome.status == "ran" else "",
                         outcome.fingerprint[:12], _preview(outcome.preview)))
        widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
        for row in rows:
            print("  " + "  ".join(c.ljust(widths[i]) for i, c in enumerate(row)).rstrip())

    # --- schema ----------------------------------------------------------------------------

    def _schema(self, args: argparse.Namespace) -> int:
        from provgraph.workflow.schema import generate_workflow_schema
        from provgraph.workflow.settings import load_workflow_settings

        load_workflow_settings(args.settings)
        text = orjson.dumps(generate_workflow_schema(), option=orjson.OPT_INDENT_2).decode()
        if args.output:
            Path(args.output).write_text(text + "\n", encoding="utf-8")
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            print(text)
        return 0

    # --- visualize -------------------------------------------------------------------------

    def _visualize(self, args: argparse.Namespace) -> int:
        from provgraph.workflow import plan, prepare

        prepared = prepare(args.config, settings=args.settings, overrides=args.overrides,
                           step=args.step)
        marks = plan(prepared.graph, prepared.environment.workflow.organizer.cache)
        print(view(prepared.graph, marks))
        return 0

    # --- why -------------------------------------------------------------------------------

    def _why(self, args: argparse.Namespace) -> int:
        from capture import Flowcept
        from provgraph.workflow import why

        if args.config is None:
            runs = why.recorded_runs(Flowcept.db, args.step)
            explanation = why.explain_last(args.step, runs)
        else:
            from provgraph.workflow import plan, prepare
            from provgraph.workflow.fingerprint import StaticFingerprints

            prepared = prepare(args.config, settings=args.settings, overrides=args.overrides)
            info = prepared.graph[args.step]
            marks = plan(prepared.graph, prepared.environment.workflow.organizer.cache)
            current = {**StaticFingerprints(prepared.graph).partial(args.step).to_record(),
                       "type": info.type}
            runs = why.recorded_runs(Flowcept.db, args.step, config=prepared.config)
            mark = marks[args.step]
            explanation = why.explain_next(args.step, current, mark.state, mark.note, runs)
        if args.json:
            print(orjson.dumps(explanation.to_dict(), option=orjson.OPT_INDENT_2).decode())
        else:
            print("\n".join(explanation.lines()))
        return 0
