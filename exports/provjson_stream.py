"""PROV-JSON read a record at a time (a file: anything seekable).

A PROV-JSON document is a map of record types to maps of records, and its ``prefix`` blocks
may come anywhere (provgraph writes the document's last, once every namespace used is
known). So the file is read twice with :class:`exports.json_stream.JsonStream`: the first
pass keeps only the prefix blocks (the document's and each bundle's) and checks that the
whole file is JSON, the second hands on the records one at a time, bundles included.
Neither holds the parsed document: memory is one record plus a window of the file,
whatever the file's size.

Records come in the order of the file (a whole read gives a bundle's records after the
document's; the graph is the same). A record type that appears twice at one level is read
both times (a whole read keeps the last, as JSON parsers do). A stream that cannot seek
(stdin) is parsed whole (:mod:`exports.provjson`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO, Any

from exports.base import ParsedDocument
from exports.json_stream import JsonStream
from exports.provjson import Names, check_kind, cut, group_records, prefixes_of
from prov_model.namespaces import PrefixMap
from prov_model.prov_records import ProvSyntaxError, Record
from prov_model.prov_terms import BUILTIN_NAMESPACES, KIND_BY_NAME

_SPECIAL = ("prefix", "bundle")


def read_streaming(stream: IO[bytes]) -> ParsedDocument:
    start = stream.tell()
    top_block, bundle_blocks = _prefix_blocks(JsonStream(stream))
    top = prefixes_of(top_block, PrefixMap(BUILTIN_NAMESPACES), "prefix")
    namespaces = list(top[0].by_prefix.items())
    if top[1]:
        namespaces.append(("", top[1]))
    for block in bundle_blocks.values():
        namespaces.extend(prefixes_of(block, PrefixMap(), "bundle prefix")[0].by_prefix.items())
    stream.seek(start)
    return ParsedDocument(namespaces, _records(JsonStream(stream), top, bundle_blocks))


def _document(json: JsonStream) -> Iterator[str]:
    if not json.is_object():
        raise ProvSyntaxError("a PROV-JSON document is a JSON object")
    yield from json.members()
    json.end()


def _prefix_blocks(json: JsonStream) -> tuple[Any, dict[str, Any]]:
    """The first pass: the document's prefix block and each bundle's (by bundle name; the
    last one of a name, as a whole read keeps); every record parsed and dropped."""
    top: Any = None
    bundles: dict[str, Any] = {}
    for key in _document(json):
        if key == "prefix":
            top = json.value()
        elif key == "bundle" and json.is_object():
            for name in json.members():
                if not json.is_object():
                    json.skip()  # refused, naming it, in the second pass
                    continue
                bundles.pop(name, None)
                for inner in json.members():
                    if inner == "prefix":
                        bundles[name] = json.value()
                    else:
                        _pass_over(json, inner)
        else:
            _pass_over(json, key)
    return top, bundles


def _pass_over(json: JsonStream, kind: str) -> None:
    if kind in _SPECIAL or not json.is_object():
        json.skip()
        return
    for name in json.members():
        _body(json, kind, name)  # parsed to be passed over: an error names the record


def _records(json: JsonStream, top: tuple[PrefixMap, str | None],
             bundle_blocks: dict[str, Any]) -> Iterator[Record]:
    names = Names(*top)
    for key in _document(json):
        if key == "prefix":
            json.skip()
        elif key == "bundle":
            if not json.is_object():
                raise ProvSyntaxError('"bundle" must be an object')
            for bundle_name in json.members():
                yield from _bundle(json, bundle_name, top, bundle_blocks.get(bundle_name))
        else:
            yield from _group(json, key, names, None)


def _bundle(json: JsonStream, bundle_name: str, top: tuple[PrefixMap, str | None],
            block: Any) -> Iterator[Record]:
    """The records of one bundle, its own prefixes over the document's."""
    if not json.is_object():
        raise ProvSyntaxError("a bundle must be an object", f"bundle {cut(bundle_name)}")
    inner_map = PrefixMap()
    inner_map.by_prefix.update(top[0].by_prefix)
    inner, default = prefixes_of(block, inner_map, "bundle prefix")
    names = Names(inner, default or top[1])
    # A bundle's name resolves with the bundle's own prefixes (as the prov package does).
    bundle_iri = names.iri(bundle_name, f"bundle {cut(bundle_name)}")
    yield Record("bundle", bundle_iri)
    for key in json.members():
        if key in _SPECIAL:  # a bundle's prefix is read already; bundles do not nest
            json.skip()
        else:
            yield from _group(json, key, names, bundle_iri)


def _group(json: JsonStream, kind: str, names: Names, bundle: str | None
           ) -> Iterator[Record]:
    check_kind(kind)
    if not json.is_object():
        raise ProvSyntaxError(f"{kind!r} must be an object of id -> record")
    yield from group_records(kind, ((name, _body(json, kind, name))
                                    for name in json.members()), names, bundle)


def _body(json: JsonStream, kind: str, name: str) -> Any:
    """One record's body; a body that cannot be parsed is named, down to its member."""
    try:
        return json.value()
    except ProvSyntaxError as exc:
        where = f"{kind} {cut(name)}"
        if json.is_object():  # the reader is still at the body: find the member
            formal = {arg.name for arg in KIND_BY_NAME[kind].args} if kind in KIND_BY_NAME \
                else set()
            for member in json.members():
                try:
                    json.value()
                except ProvSyntaxError as inner:
                    what = cut(member) if member in formal else f"attribute {cut(member)}"
                    raise ProvSyntaxError(f"{what}: {inner.detail}", where) from None
        raise ProvSyntaxError(exc.detail, where) from None
