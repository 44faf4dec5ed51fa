"""The campaign card: the workflows of one campaign side by side (status, duration,
tasks, and the parameters that differ between them)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from exports.report.card import WorkflowCard, build_card
from exports.report.inputs import ReportInput
from exports.report.markdown import AGGREGATION, cell, code, counts, git_text, table
from exports.report.values import seconds, short, when

MAX_PARAMETERS = 12


@dataclass
class CampaignCard:
    campaign_id: str
    workflows: list[WorkflowCard]
    parameters: list[str]  # names whose values differ between the workflows
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # workflow -> name -> value
    source: str = ""


def _parameters(card: WorkflowCard) -> dict[str, Any]:
    """What a run was given: its workflow arguments, then each activity's first inputs."""
    out: dict[str, Any] = {f"args.{k}": v for k, v in card.args.items()}
    seen: set[str] = set()
    for task in card.tasks:
        activity = str(task.get("activity_id") or "?")
        used = task.get("used")
        if activity in seen or not isinstance(used, Mapping):
            continue
        seen.add(activity)
        for role, value in used.items():
            out.setdefault(f"{activity}.{role}", value)
    if card.git and card.git.get("commit"):
        out["git.commit"] = str(card.git["commit"])[:12]
    return out


def build_campaign(data: ReportInput) -> CampaignCard:
    with_tasks = [wid for wid in data.workflows if data.tasks_of(wid)]
    cards = [build_card(data, wid) for wid in with_tasks]
    cards.sort(key=lambda c: (c.started_at is None, c.started_at or 0.0, c.workflow_id))
    values = {c.workflow_id: _parameters(c) for c in cards}
    names: list[str] = []
    for params in values.values():
        names.extend(n for n in params if n not in names)
    # A parameter differs when at least two workflows were given it, not all the same value.
    differ = [n for n in names
              if len(given := [short(p[n], 200) for p in values.values() if n in p]) > 1
              and len(set(given)) > 1]
    campaign = data.campaign_id or next((c.campaign_id for c in cards if c.campaign_id), "")
    return CampaignCard(campaign or "(no campaign_id)", cards, differ[:MAX_PARAMETERS], values,
                        data.where)


def render_campaign(campaign: CampaignCard) -> str:
    cards = campaign.workflows
    lines = [f"# Campaign card: {cell(campaign.campaign_id)}", "",
             f"{len(cards)} workflows, "
             f"{sum(sum(c.statuses.values()) for c in cards)} tasks; runs "
             f"{counts(_statuses(cards))}.", "", "## Workflows", ""]
    lines += table(["Workflow", "ID", "Status", "Start", "Duration", "Tasks", "Failed tasks"],
                   ([c.name, code(c.workflow_id[:12], in_table=True), c.status, when(c.started_at),
                     seconds(c.duration), sum(c.statuses.values()), c.failures_total]
                    for c in cards))
    lines += ["", "## Parameters that differ", ""]
    if campaign.parameters:
        lines += table(["Workflow", *campaign.parameters],
                       ([c.name, *(code(short(campaign.values[c.workflow_id].get(p, "-"), 30),
                                        in_table=True) for p in campaign.parameters)]
                        for c in cards))
    else:
        lines.append("No argument or first input the workflows share has different values.")
    lines += ["", "## Activities per workflow", ""]
    activities: list[str] = []
    for card in cards:
        activities.extend(a.activity_id for a in card.activities
                          if a.activity_id not in activities)
    lines += table(["Workflow", *activities[:10]],
                   ([c.name, *(_activity_cell(c, a) for a in activities[:10])] for c in cards))
    lines += ["", "## Code", ""]
    lines += [f"- **{cell(c.name)}:** {git_text(c.git)}" for c in cards]
    lines += ["", "## About this card", "", f"- **Source:** {cell(campaign.source)}",
              f"- **Generated:** {when(cards[0].generated_at if cards else None)} by "
              f"{cards[0].generator if cards else 'provgraph'}",
              f"- **Aggregation:** {AGGREGATION}", ""]
    return "\n".join(lines)


def _statuses(cards: list[WorkflowCard]) -> Counter[str]:
    return Counter(c.status for c in cards)


def _activity_cell(card: WorkflowCard, activity: str) -> str:
    for item in card.activities:
        if item.activity_id == activity:
            median = seconds(item.durations.median) if item.durations else "-"
            return f"{item.count} × {median}"
    return "-"
