"""An import reads only the file it was given: a JSON-LD document naming a remote or local
context is refused with one line naming it, and nothing is fetched or read (issue 23,
item 1)."""

from __future__ import annotations

import http.server
import io
import threading
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest

from exports import import_document
from keeper.stores.base import Store
from provgraph.core.errors import DocumentError


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        body = orjson.dumps({"@context": {"ex": "http://leaked.example/"}})
        self.send_response(200)
        self.send_header("Content-Type", "application/ld+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    _Counting.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/ctx.jsonld"
    httpd.shutdown()
    httpd.server_close()


def _doc(context: object) -> bytes:
    return orjson.dumps({"@context": context, "@id": "ex:e1",
                         "@type": "http://www.w3.org/ns/prov#Entity"})


def _refused(store: Store, data: bytes, named: str) -> None:
    before = store.counts()
    with pytest.raises(DocumentError) as caught:
        import_document(store, io.BytesIO(data), "rdf-jsonld", name="ctx.rdf.jsonld")
    message = str(caught.value)
    assert message.startswith("ctx.rdf.jsonld: not valid PROV-O as JSON-LD")
    assert named in message and "\n" not in message
    assert store.counts() == before


def test_a_remote_context_is_never_fetched(store: Store, server: str) -> None:
    _refused(store, _doc(server), server)
    _refused(store, _doc([{"ex": "http://x/"}, server]), server)
    _refused(store, _doc({"@import": server, "ex": "http://x/"}), server)
    # a scoped context inside a term definition is a context too
    _refused(store, _doc({"ex": "http://x/", "t": {"@id": "ex:t", "@context": server}}), server)
    assert _Counting.hits == []


def test_a_local_file_is_never_read_as_a_context(store: Store, tmp_path: Path) -> None:
    secret = tmp_path / "secret.jsonld"
    secret.write_bytes(orjson.dumps({"@context": {"leak": "http://leaked.example/"}}))
    _refused(store, _doc(secret.as_uri()), secret.as_uri())
    _refused(store, _doc("secret.jsonld"), "secret.jsonld")
    assert "http://leaked.example/" not in dict(store.namespaces()).values()


def test_an_inline_context_is_read(store: Store) -> None:
    result = import_document(store, io.BytesIO(_doc({"ex": "http://example.org/"})),
                             "rdf-jsonld", name="ok.rdf.jsonld")
    assert result.nodes == 1 and store.get_node("http://example.org/e1") is not None
