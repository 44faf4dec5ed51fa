"""Building workflow messages: who ran the workflow, where, with which code and settings."""

from __future__ import annotations

import time
from typing import Any

from capture import sysinfo
from capture.context import WorkflowContext
from capture.messages import WorkflowObject
from provgraph.core.config import get_settings
from provgraph.core.version import __version__
from provgraph.core.wire import Status


def build_workflow_message(
    workflow: WorkflowContext,
    *,
    subtype: str | None = None,
    used: dict[str, Any] | None = None,
    parent_workflow_id: str | None = None,
    agent_id: str | None = None,
    interceptor_ids: list[str] | None = None,
    custom_metadata: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The workflow message sent when a workflow starts (``save_workflow=True``)."""
    settings = get_settings()
    system = sysinfo.system_info()
    now = time.time()
    obj = WorkflowObject(
        workflow_id=workflow.workflow_id,
        name=workflow.workflow_name,
        campaign_id=workflow.campaign_id,
        subtype=subtype,
        used=used or None,
        parent_workflow_id=parent_workflow_id,
        agent_id=agent_id,
        interceptor_ids=interceptor_ids,
        user=system["login_name"],
        login_name=system["login_name"],
        sys_name=system["sys_name"],
        node_name=system["node_name"],
        hostname=system["hostname"],
        private_ip=system["private_ip"],
        public_ip=system["public_ip"],
        environment_id=settings.environment_id or None,
        machine_info=sysinfo.machine_info(),
        code_repository=sysinfo.code_repository(),
        flowcept_settings=settings.redacted(),
        flowcept_version=__version__,
        conf={"settings_path": settings.source} if settings.source else None,
        custom_metadata=custom_metadata,
        utc_timestamp=now,
        started_at=now,
        status=Status.RUNNING,
    )
    return obj.to_dict()


def workflow_summary(name: str | None, started_at: float) -> dict[str, Any]:
    """What the end of a run that sent no workflow message tells about it: its name, start,
    host and Python (the fields a provenance card shows)."""
    system = sysinfo.system_info()
    summary: dict[str, Any] = {
        "started_at": started_at,
        "hostname": system["hostname"],
        "user": system["login_name"],
        "machine_info": {"python_version": sysinfo.machine_info().get("python_version")},
        "flowcept_version": __version__,
    }
    if name:
        summary["name"] = name
    return summary
