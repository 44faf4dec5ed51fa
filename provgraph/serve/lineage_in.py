"""OpenLineage run events posted to ``provgraph serve``, where an OpenLineage client's HTTP
transport sends them (Marquez's paths), so a client pointed at provgraph works unchanged:

    POST /api/v1/lineage          one run event (JSON object)          -> 201
    POST /api/v1/lineage/batch    a JSON array of run events           -> 201 {"received": N}

Every event is checked before anything is sent (``provgraph.ingest``): a request with one
bad event gets 400 with the first problem in one line, and none of its events are sent.
The events travel through the configured hub, as captured messages do, and a keeper stores
them exactly once; the server itself never writes to the store.
"""

from __future__ import annotations

import threading
from typing import Any

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from provgraph.core.config import Settings
from provgraph.core.errors import CapabilityMissingError
from provgraph.serve.errors import RequestError


class EventSink:
    """The server's one sender of events, made on the first post (the hub's connection)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._ingest: Any = None
        self._lock = threading.Lock()

    def send(self, events: list[Any]) -> int:
        with self._lock:
            if self._ingest is None:
                try:
                    from provgraph.ingest import OpenLineageIngest
                except ImportError as exc:
                    raise CapabilityMissingError(
                        f"OpenLineage events need the openlineage extra ({exc.name} is "
                        "missing): pip install 'provgraph[openlineage]'") from None
                self._ingest = OpenLineageIngest(self.settings)
        from exports.openlineage.validate import InvalidEvent

        try:
            sent: int = self._ingest.send(events)
        except InvalidEvent as exc:
            raise RequestError(str(exc)) from None
        return sent

    def close(self) -> None:
        if self._ingest is not None:
            self._ingest.close()


async def _events(request: Request) -> Any:
    body = await request.body()
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise RequestError(f"the body is not JSON: {exc}") from None


def endpoints(sink: EventSink) -> dict[str, Any]:
    """The two POST endpoints over ``sink``, by path."""

    async def one(request: Request) -> Response:
        event = await _events(request)
        if not isinstance(event, dict):
            raise RequestError("POST /api/v1/lineage takes one run event (a JSON object); "
                               "post an array to /api/v1/lineage/batch")
        await run_in_threadpool(sink.send, [event])
        return Response(status_code=201)

    async def batch(request: Request) -> Response:
        events = await _events(request)
        if not isinstance(events, list):
            raise RequestError("POST /api/v1/lineage/batch takes a JSON array of run events")
        sent = await run_in_threadpool(sink.send, events)
        return Response(orjson.dumps({"received": sent}), status_code=201,
                        media_type="application/json")

    return {"/api/v1/lineage": one, "/api/v1/lineage/batch": batch}


__all__ = ["EventSink", "endpoints"]
