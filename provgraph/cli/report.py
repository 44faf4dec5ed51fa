"""``provgraph report``: the provenance card, report or campaign card of a run."""

from __future__ import annotations

import argparse
import sys

from provgraph.cli.base import Command


class ReportCommand(Command):
    name = "report"
    help = "write the provenance card (markdown) or report (PDF) of a workflow or campaign"
    description = (
        "Summarize one workflow run, or the workflows of a campaign side by side: status,\n"
        "timing, infrastructure, activities, artifacts, telemetry, the lineage of the final\n"
        "outputs, failed tasks with what they affected, and the code version of each\n"
        "activity. Reads the configured store (--workflow, --campaign) or a JSONL buffer\n"
        "file (--jsonl).")
    examples = """
        provgraph report --jsonl provgraph-data/buffer.jsonl
        provgraph report --workflow 5def1173-d417-420b-a7ed-61ada01772cd --print
        provgraph report --workflow WF_ID --type provenance_report -o run.pdf
        PROVGRAPH_STORE=neo4j provgraph report --campaign experiment_42 -o campaign.md
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        source = parser.add_mutually_exclusive_group(required=True)
        source.add_argument("--workflow", metavar="ID", help="a workflow in the store")
        source.add_argument("--campaign", metavar="ID", help="the workflows of a campaign")
        source.add_argument("--jsonl", metavar="FILE", help="a JSONL buffer file")
        parser.add_argument("--type", dest="report_type", default="provenance_card",
                            choices=["provenance_card", "provenance_report"],
                            help="markdown card (default) or PDF report")
        parser.add_argument("-o", "--output", metavar="FILE",
                            help="where to write it (default PROVENANCE_CARD.md, "
                                 "PROVENANCE_REPORT.pdf, CAMPAIGN_CARD.md ...)")
        parser.add_argument("--print", dest="print_markdown", action="store_true",
                            help="also render the markdown card in the terminal (rich)")

    def run(self, args: argparse.Namespace) -> int:
        from exports.report.service import generate_report

        def progress(text: str) -> None:
            print(f"provgraph report: {text}", file=sys.stderr)

        result = generate_report(
            report_type=args.report_type, output_path=args.output,
            input_jsonl_path=args.jsonl, workflow_id=args.workflow,
            campaign_id=args.campaign, print_markdown=args.print_markdown, progress=progress,
        )
        print(result["output"])
        return 0
