"""The Starlette application: the explorer's files at ``/`` and ``/static/``, the JSON API
under ``/api/``. Handlers are plain functions (Starlette runs them in its thread pool):
the stores' reads are blocking calls.

    from provgraph.serve import create_app
    app = create_app(store)     # any ASGI server runs it; `provgraph serve` uses uvicorn
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from keeper.lineage.walk import DEFAULT_DEPTH
from keeper.stores.base import Store
from provgraph.core.errors import ProvgraphError
from provgraph.serve import answers, lineage_in
from provgraph.serve import params as p
from provgraph.serve.errors import RequestError, one_line, status_of
from provgraph.serve.lineage_in import EventSink
from provgraph.serve.overview import activity_tasks, overview
from provgraph.serve.security import Guard, GuardMiddleware

log = logging.getLogger(__name__)
ASSETS = Path(__file__).resolve().parent / "assets"
Handler = Callable[[Store, Request], Any]


class JSON(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def _error(status: int, message: str) -> JSON:
    return JSON({"error": message, "status": status}, status_code=status)


def api(store: Store, handler: Handler) -> Callable[[Request], Response]:
    """A JSON endpoint: the handler's answer, its time on the server in ``Server-Timing``."""

    def endpoint(request: Request) -> Response:
        began = time.perf_counter()
        answer = handler(store, request)
        response = answer if isinstance(answer, Response) else JSON(answer)
        spent = (time.perf_counter() - began) * 1000
        response.headers["server-timing"] = f"app;dur={spent:.2f}"
        response.headers["cache-control"] = "no-store"
        return response

    endpoint.__doc__ = handler.__doc__
    return endpoint


# --- the API's handlers (one line of doc each: GET /api lists them) ---------------------------

def h_workflows(store: Store, request: Request) -> Any:
    """Workflows newest first: ?q=part of id or name &limit=50 &offset=0."""
    q = request.query_params
    return answers.workflows(store, p.text(q, "q", "", p.MAX_QUERY_CHARS),
                             p.integer(q, "limit", 50, 1, p.MAX_PAGE),
                             p.integer(q, "offset", 0, 0, answers.WORKFLOW_SCAN))


def h_workflow(store: Store, request: Request) -> Any:
    """A workflow's activity-level overview: ?id=WORKFLOW."""
    return overview(store, p.text(request.query_params, "id"))


def h_tasks(store: Store, request: Request) -> Any:
    """The tasks of one activity of a workflow: ?id=WORKFLOW &activity=NAME &limit=200."""
    q = request.query_params
    return activity_tasks(store, p.text(q, "id"), p.text(q, "activity"),
                          p.integer(q, "limit", 200, 1, p.MAX_PAGE * 4))


def h_node(store: Store, request: Request) -> Any:
    """A node (an id, or a value such as a file path) with its attributes: ?id=NODE."""
    return answers.node(store, p.text(request.query_params, "id"))


def _walk(way: str) -> Handler:
    def handler(store: Store, request: Request) -> Any:
        q = request.query_params
        return answers.walk(store, p.text(q, "id"), way,
                            p.integer(q, "depth", DEFAULT_DEPTH, 1, p.MAX_DEPTH),
                            p.integer(q, "limit", 1000, 1, p.MAX_LIMIT))

    handler.__doc__ = (f"{way.capitalize()} of a node (keeper/lineage's answer, with "
                       "truncated and complete_depth): ?id=NODE &depth=5 &limit=1000.")
    return handler


def h_expand(store: Store, request: Request) -> Any:
    """One level up and down of a node: ?id=NODE &limit=200."""
    q = request.query_params
    return answers.expand(store, p.text(q, "id"), p.integer(q, "limit", 200, 1, p.MAX_LIMIT))


def h_path(store: Store, request: Request) -> Any:
    """The shortest lineage path between two nodes: ?from=A &to=B &depth=20."""
    q = request.query_params
    return answers.path(store, p.text(q, "from"), p.text(q, "to"),
                        p.integer(q, "depth", 20, 1, 50))


def h_search(store: Store, request: Request) -> Any:
    """Exact lookups: a node id, a value, a workflow name, an activity: ?q=TEXT &workflow=ID."""
    q = request.query_params
    workflow = q.get("workflow") or None
    return answers.search(store, p.text(q, "q", max_bytes=p.MAX_QUERY_CHARS),
                          p.text(q, "workflow") if workflow else None,
                          p.integer(q, "limit", answers.SEARCH_LIMIT, 1, 200))


def h_formats(store: Store, request: Request) -> Any:
    """The PROV formats an export can be downloaded in."""
    return {"formats": answers.formats()}


def h_export(store: Store, request: Request) -> Any:
    """A PROV document to download: ?scope=workflow|campaign|around &id=ID &format=json &depth=1."""
    q = request.query_params
    body, media, name = answers.export_document(
        store, p.choice(q, "scope", "workflow", ("workflow", "campaign", "around")),
        p.text(q, "id"), p.text(q, "format", "json", 32), p.integer(q, "depth", 1, 1, 10))
    return Response(body, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def h_health(store: Store, request: Request) -> Any:
    """Whether the store answers."""
    return {"ok": bool(store.alive()), "store": type(store).__name__}


ROUTES: dict[str, Handler] = {
    "/api/workflows": h_workflows, "/api/workflow": h_workflow, "/api/tasks": h_tasks,
    "/api/node": h_node, "/api/upstream": _walk("upstream"),
    "/api/downstream": _walk("downstream"), "/api/expand": h_expand, "/api/path": h_path,
    "/api/search": h_search, "/api/formats": h_formats, "/api/export": h_export,
    "/api/health": h_health,
}


@functools.cache
def _asset(name: str) -> bytes:
    if name.startswith("lib/"):
        from exports.views.jsassets import libraries

        for lib in libraries():
            if f"lib/{lib.name}.js" == name:
                return lib.text.encode()
        raise HTTPException(404)
    path = (ASSETS / name).resolve()
    if path.parent != ASSETS or not path.is_file():
        raise HTTPException(404)
    return path.read_bytes()


MEDIA = {".js": "text/javascript; charset=utf-8", ".css": "text/css; charset=utf-8",
         ".html": "text/html; charset=utf-8"}


def static(request: Request) -> Response:
    name = request.path_params["name"]
    if not isinstance(name, str) or len(name) > 100:
        raise HTTPException(404)
    body = _asset(name)
    return Response(body, media_type=MEDIA.get(Path(name).suffix, "application/octet-stream"),
                    headers={"cache-control": "no-cache"})


def index(request: Request) -> Response:
    return Response(_asset("index.html"), media_type=MEDIA[".html"],
                    headers={"cache-control": "no-cache"})


def api_index(request: Request) -> Response:
    """Every endpoint with its parameters."""
    return JSON({"endpoints": {path: " ".join((handler.__doc__ or "").split())
                               for path, handler in ROUTES.items()}})


async def provgraph_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ProvgraphError)
    status = status_of(exc)
    if status >= 500 and not isinstance(exc, RequestError):
        log.error("%s %s: %s", request.method, request.url.path, one_line(exc))
    return _error(status, one_line(exc))


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return _error(exc.status_code, one_line(exc.detail) if exc.detail else "not found")


async def server_error(request: Request, exc: Exception) -> Response:
    log.exception("%s %s failed", request.method, request.url.path)
    return _error(500, f"internal error ({type(exc).__name__}); the server log has the details")


def create_app(store: Store, guard: Guard | None = None, events: EventSink | None = None
               ) -> Starlette:
    """The explorer and the API over ``store`` (read-only), behind ``guard``; with
    ``events``, OpenLineage run events posted to ``/api/v1/lineage`` go to its hub."""
    routes = [Route("/", index), Route("/api", api_index),
              Route("/favicon.ico", lambda request: Response(status_code=204)),
              Route("/static/{name:path}", static)]
    routes += [Route(path, api(store, handler)) for path, handler in ROUTES.items()]
    if events is not None:
        routes += [Route(path, endpoint, methods=["POST"])
                   for path, endpoint in lineage_in.endpoints(events).items()]
    return Starlette(
        routes=routes,
        middleware=[Middleware(GuardMiddleware, guard=guard or Guard())],
        exception_handlers={ProvgraphError: provgraph_error, HTTPException: http_error,
                            Exception: server_error})


__all__ = ["ROUTES", "create_app"]
