"""Running the explorer: the bind checks (loopback, or a token), the store from the
settings, uvicorn with bounded concurrency and header sizes."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from provgraph.core.config import Settings
from provgraph.core.errors import ArgumentError, CapabilityMissingError
from provgraph.serve.security import Guard, is_loopback

log = logging.getLogger(__name__)
TOKEN = re.compile(r"[A-Za-z0-9._~-]{16,256}")
MAX_CONNECTIONS = 64  # concurrent requests; more get 503 from uvicorn
HEADER_BYTES = 16_384  # largest request head uvicorn reads


@dataclass(frozen=True)
class ServeOptions:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str = ""


def guard_for(options: ServeOptions) -> Guard:
    """The guard the bind asks for: a token is required unless the bind is loopback."""
    if not 0 <= options.port <= 65535:
        raise ArgumentError(f"--port must be from 0 to 65535, got {options.port}")
    if options.token and not TOKEN.fullmatch(options.token):
        raise ArgumentError("the token must be 16 to 256 characters of A-Z a-z 0-9 . _ ~ -")
    loopback = is_loopback(options.host)
    if not loopback and not options.token:
        raise ArgumentError(
            f"binding {options.host} exposes the store beyond this machine: give a token "
            "(--token or PROVGRAPH_SERVE_TOKEN, 16+ characters), or bind 127.0.0.1")
    return Guard(token=options.token, loopback_only_hosts=loopback)


def serve(settings: Settings, options: ServeOptions) -> None:
    """Open the configured store and serve until interrupted."""
    guard = guard_for(options)
    try:
        import uvicorn

        from provgraph.serve.app import create_app
    except ImportError as exc:
        raise CapabilityMissingError(
            f"provgraph serve needs the serve extra ({exc.name} is missing): "
            "pip install 'provgraph[serve]'") from None
    from keeper.stores.base import open_store
    from provgraph.serve.lineage_in import EventSink

    store = open_store(settings)
    events = EventSink(settings)
    try:
        app = create_app(store, guard, events)
        config = uvicorn.Config(app, host=options.host, port=options.port,
                                limit_concurrency=MAX_CONNECTIONS,
                                h11_max_incomplete_event_size=HEADER_BYTES,
                                server_header=False, log_level="warning", access_log=False)
        server = uvicorn.Server(config)
        log.info("serving the %s store on http://%s:%d/", settings.store.kind, options.host,
                 options.port)
        server.run()
    finally:
        events.close()
        store.close()


__all__ = ["ServeOptions", "guard_for", "serve"]
