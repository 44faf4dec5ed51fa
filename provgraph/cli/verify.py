"""``provgraph verify``: did the keepers store everything the producers sent?"""

from __future__ import annotations

import argparse

from provgraph.cli.base import Command
from provgraph.core.config import get_settings


class VerifyCommand(Command):
    name = "verify"
    help = "prove that every batch the producers sent was stored (or name what is missing)"
    description = (
        "Every producer numbers the batches it sends (a producer id and a sequence); the "
        "keepers record each batch they store. verify compares the two: the producers seen, "
        "batches and messages expected and stored, each gap by producer and sequence range, "
        "dead letters and duplicates suppressed. Exit status 0 when complete, 1 with a gap. "
        "Scoped to a workflow or campaign, every producer that sent any of it is checked "
        "whole (a missing batch may have held its messages). The hubs that number batches "
        "are redis and redis-cluster; the file hub writes single messages, not numbered.")
    examples = """
        provgraph verify --all
        provgraph verify --workflow 3f6c2a10-...
        provgraph verify --campaign c-2025-07 --json
    """

    def configure(self, parser: argparse.ArgumentParser) -> None:
        scope = parser.add_mutually_exclusive_group(required=True)
        scope.add_argument("--workflow", metavar="ID", help="what the producers of this "
                           "workflow sent")
        scope.add_argument("--campaign", metavar="ID", help="what the producers of this "
                           "campaign sent")
        scope.add_argument("--all", action="store_true", help="everything recorded")
        parser.add_argument("--json", action="store_true", help="the full answer as JSON")

    def run(self, args: argparse.Namespace) -> int:
        import orjson

        from keeper.ledger import open_ledger, verify
        from keeper.stores.base import open_store

        settings = get_settings()
        store = open_store(settings)
        try:
            ledger = open_ledger(settings, store)
            answer = verify(ledger, workflow=args.workflow, campaign=args.campaign)
            ledger.close()
        finally:
            store.close()
        if args.json:
            print(orjson.dumps(answer.as_dict(), option=orjson.OPT_INDENT_2).decode())
        else:
            print(answer.line())
            for p in answer.producers:
                state = "ended" if p.ended else "open"
                gaps = ", ".join(f"{a}-{b}" if a != b else str(a) for a, b in p.gaps)
                print(f"  {p.producer}: {p.stored} of {p.last} batches ({state}), "
                      f"{p.messages:,} messages, {p.dead_letters} dead letters, "
                      f"{p.duplicates} duplicates" + (f"; missing {gaps}" if gaps else ""))
        return 0 if answer.complete else 1
