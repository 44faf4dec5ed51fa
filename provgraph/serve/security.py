"""The guard in front of every request (a plain ASGI middleware): read-only methods,
bounded request sizes, the token, the Host header of a loopback bind, and the response
headers that keep the page's content from ever running as code.

- Only ``GET`` and ``HEAD``: nothing the server does writes to the store. The one
  exception is OpenLineage run events (:data:`POST_PATHS`, where an OpenLineage client
  posts them): ``POST`` with ``Content-Type: application/json`` and a ``Content-Length``
  under the path's cap; they go to the hub, and a keeper stores them.
- A request line over :data:`MAX_TARGET_BYTES` is refused (414); any other request with a
  body (413).
- With a token (required to bind anything but loopback), every request carries it:
  ``Authorization: Bearer <token>``, or the ``provgraph_token`` cookie the page sets when
  opened once as ``/?token=<token>``. Compared in constant time.
- On a loopback bind the ``Host`` header must name loopback: a web page elsewhere cannot
  reach the server through a DNS name that resolves to 127.0.0.1 (DNS rebinding).
- Every response says ``nosniff`` and carries a Content-Security-Policy that allows only
  the server's own scripts: no inline script ever runs.
"""

from __future__ import annotations

import hmac
import ipaddress
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

import orjson

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_TARGET_BYTES = 8192
COOKIE = "provgraph_token"
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
# Inline styles are allowed because cytoscape sets its canvas containers' style attributes;
# no page content is ever parsed as HTML, so no one else can write one.
CSP = ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()), (b"x-content-type-options", b"nosniff"),
           (b"referrer-policy", b"no-referrer"), (b"x-frame-options", b"DENY"),
           (b"cross-origin-resource-policy", b"same-origin")]


# The only requests that carry a body: OpenLineage run events, where an OpenLineage client's
# HTTP transport sends them (Marquez's paths), each with its body cap. They go to the hub,
# never straight to the store (provgraph.ingest).
POST_PATHS = {"/api/v1/lineage": 1 << 20, "/api/v1/lineage/batch": 16 << 20}


def _post_refusal(headers: dict[str, str], cap: int) -> tuple[int, str] | None:
    # application/json only: a web page elsewhere cannot send that cross-origin without a
    # preflight (OPTIONS), which is refused, so a browser never posts events for a page.
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        return 415, "OpenLineage events are posted as Content-Type: application/json"
    if "transfer-encoding" in headers:
        return 411, "give a Content-Length (chunked bodies are not taken)"
    length = headers.get("content-length", "")
    if not length.isdigit():
        return 411, "a Content-Length is required"
    if int(length) > cap:
        return 413, f"the body is over {cap} bytes"
    return None


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a name or an address) is this machine only."""
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _host_name(value: str) -> str:
    if value.startswith("["):  # [::1]:8765
        return value[1:value.find("]")] if "]" in value else value
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


@dataclass(frozen=True)
class Guard:
    """What the middleware enforces (built by :func:`provgraph.serve.server.guard_for`)."""

    token: str = ""
    loopback_only_hosts: bool = True


class GuardMiddleware:
    def __init__(self, app: ASGIApp, guard: Guard) -> None:
        self.app = app
        self.guard = guard

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refusal = self._refusal(scope)
        if refusal is not None:
            await _json(send, *refusal)
            return
        cookie = self._cookie_to_set(scope)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += HEADERS
                if cookie:
                    headers.append((b"set-cookie", cookie))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)

    def _refusal(self, scope: Scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}
        posting = scope["method"] == "POST" and scope["path"] in POST_PATHS
        if scope["method"] not in ("GET", "HEAD") and not posting:
            return 405, f"{scope['method']} is not allowed: the server is read-only"
        target = len(scope.get("raw_path") or scope["path"].encode()) + len(
            scope.get("query_string", b""))
        if target > MAX_TARGET_BYTES:
            return 414, f"the request target is over {MAX_TARGET_BYTES} bytes"
        if posting:
            refused = _post_refusal(headers, POST_PATHS[scope["path"]])
            if refused is not None:
                return refused
        elif (headers.get("content-length", "0") not in ("", "0")
              or "transfer-encoding" in headers):
            return 413, "the API takes no request body"
        if self.guard.loopback_only_hosts:
            host = _host_name(headers.get("host", ""))
            if not is_loopback(host):
                return 403, "this server answers only requests for a loopback host name"
        if self.guard.token and not self._authorized(scope, headers):
            return 401, ("a token is required: Authorization: Bearer <token>, or open "
                         "/?token=<token>")
        return None

    def _presented(self, scope: Scope, headers: dict[str, str]) -> list[str]:
        found = []
        auth = headers.get("authorization", "")
        if auth.lower().startswith("bearer "):
            found.append(auth[7:].strip())
        if "cookie" in headers:
            jar: SimpleCookie = SimpleCookie()
            try:
                jar.load(headers["cookie"])
            except Exception:  # a malformed cookie header presents nothing
                jar = SimpleCookie()
            if COOKIE in jar:
                found.append(jar[COOKIE].value)
        if scope["path"] == "/":
            found += parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        return found

    def _authorized(self, scope: Scope, headers: dict[str, str]) -> bool:
        expected = self.guard.token.encode()
        return any(hmac.compare_digest(given.encode(), expected)
                   for given in self._presented(scope, headers))

    def _cookie_to_set(self, scope: Scope) -> bytes | None:
        if not self.guard.token or scope["path"] != "/":
            return None
        given = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token", [])
        if not given:
            return None
        return (f"{COOKIE}={self.guard.token}; Path=/; HttpOnly; SameSite=Strict".encode())


async def _json(send: Send, status: int, message: str) -> None:
    body = orjson.dumps({"error": message, "status": status})
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


__all__ = ["COOKIE", "CSP", "MAX_TARGET_BYTES", "POST_PATHS", "Guard", "GuardMiddleware",
           "is_loopback"]
