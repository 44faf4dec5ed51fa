"""Run events checked against the spec as openlineage-python holds it."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from openlineage.client.event_v2 import Job, Run, RunEvent, RunState
from openlineage.client.serde import Serde

from exports.openlineage.validate import InvalidEvent, validate_event

RUN = "3f5e83fa-3480-44ff-99c5-ff943904e5e8"


def client_event() -> dict[str, Any]:
    """An event as the real client serializes it."""
    event = RunEvent(eventType=RunState.START, eventTime="2024-05-01T10:00:00.000Z",
                     run=Run(runId=RUN), job=Job(namespace="ns", name="job"), producer="tests")
    return Serde.to_dict(event)


def test_a_client_event_is_valid() -> None:
    event = client_event()
    assert validate_event(event) is event


@pytest.mark.parametrize(("broken", "problem"), [
    (lambda e: e["run"].update(runId="not-a-uuid"), "run:"),
    (lambda e: e.pop("job"), "job: required property missing"),
    (lambda e: e.update(eventType="LATER"), "eventType: 'LATER' is not one of"),
    (lambda e: e.update(eventTime="yesterday"), "event:"),
    (lambda e: e.update(inputs=[{"namespace": "s3://b"}]), "inputs[0].name: required"),
    (lambda e: e["job"].update(name=3), "job.name: must be a string"),
    (lambda e: e["run"].update(facets={"parent": 1}), "run.facets.parent: a facet must be"),
    (lambda e: e.pop("run"), "a job event"),
])
def test_the_first_problem_in_one_line(broken: Any, problem: str) -> None:
    event = copy.deepcopy(client_event())
    broken(event)
    with pytest.raises(InvalidEvent) as info:
        validate_event(event)
    assert problem in str(info.value) and "\n" not in str(info.value)
