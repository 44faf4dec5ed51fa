"""PROV-JSON (W3C Member Submission, 2013): writer and reader.

Writer: ``{"entity": {...}, "activity": {...}, ..., "bundle": {...}, "prefix": {...}}``, one
object per record type keyed by qualified name, typed literals as ``{"$": ..., "type": ...}``
(``"lang"`` for language-tagged strings), ``_:idN`` keys for unnamed relations, an array
where an identifier repeats. Streaming: each record is encoded (orjson) and written as it
comes; ``prefix`` goes last, once every namespace used is known. Only named relations (of
imported documents) are held until the end of their section: their identifier may repeat.

Reader: the whole document is parsed with orjson (PROV-JSON is one JSON object), then
walked record by record.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, TYPE_CHECKING, Any, cast

import orjson

from exports.base import Format, ParsedDocument
from exports.provjson_captured import CapturedJson
from prov_model.iri import shown
from prov_model.namespaces import PrefixMap
from prov_model.prov_records import Attr, ProvSyntaxError, Record
from prov_model.prov_terms import (
    BUILTIN_NAMESPACES,
    KIND_BY_NAME,
    QUALIFIED_NAME_TYPES,
    TIME,
    compact_builtin,
)

if TYPE_CHECKING:
    from exports.source import CapturedEdge, CapturedNode, Container, ExportDocument

_dumps = orjson.dumps
_IMPLICIT = ("prov", "xsd")  # PROV-JSON documents need not declare these


class JsonValues:
    """Attribute values and names as PROV-JSON writes them, with one :class:`PrefixMap`."""

    def __init__(self, prefixes: PrefixMap) -> None:
        self.prefixes = prefixes
        self.qname = prefixes.qname

    def datatype(self, datatype: str) -> str:
        prefix, sep, _ = datatype.partition(":")
        if sep and prefix in BUILTIN_NAMESPACES:
            self.prefixes.used.add(prefix)
            return datatype
        return self.qname(datatype)

    def value(self, value: Any, datatype: str | None, lang: str | None) -> Any:
        if datatype is None and lang is None:
            return value
        out: dict[str, Any] = {}
        if datatype in QUALIFIED_NAME_TYPES:
            out["$"] = self.qname(str(value))
        else:
            out["$"] = value
        if datatype is not None:
            out["type"] = self.datatype(datatype)
        if lang is not None:
            out["lang"] = lang
        return out

    def body(self, record: Record) -> dict[str, Any]:
        qname = self.qname
        body: dict[str, Any] = {}
        kind = KIND_BY_NAME[record.kind]
        for arg in kind.args:
            given = record.args.get(arg.name)
            if given is not None:
                body[arg.name] = given if arg.kind == TIME else qname(given)
        for key, value, datatype, lang in record.attrs:
            name = qname(key)
            encoded = self.value(value, datatype, lang)
            found = body.get(name)
            if found is None:
                body[name] = encoded
            elif isinstance(found, list):
                found.append(encoded)
            else:
                body[name] = [found, encoded]
        return body


class ProvJsonFormat(Format):
    name = "json"
    aliases = ("provjson", "prov-json")
    extensions = (".provjson", ".prov.json", ".json")
    description = "PROV-JSON (W3C Member Submission 2013)"
    media_type = "application/json"

    def write(self, document: ExportDocument, out: IO[bytes]) -> None:
        values = JsonValues(document.prefixes)
        counter = [0]
        out.write(b"{")
        first = self._container(document, document.document(), values, counter, out, True)
        bundles = document.bundles()
        if bundles:
            out.write(b"" if first else b",")
            out.write(b'"bundle":{')
            for i, container in enumerate(bundles):
                if i:
                    out.write(b",")
                out.write(_dumps(values.qname(container.bundle or "")) + b":{")
                inner_first = self._container(document, container, values, counter, out, True)
                out.write(b"" if inner_first else b",")
                out.write(b'"prefix":' + _dumps(_prefix_block(document.prefixes)) + b"}")
            out.write(b"}")
            first = False
        out.write(b"" if first else b",")
        out.write(b'"prefix":' + _dumps(_prefix_block(document.prefixes)) + b"}\n")

    def _container(self, document: ExportDocument, container: Container, values: JsonValues,
                   counter: list[int], out: IO[bytes], first: bool) -> bool:
        body = values.body
        qname = values.qname
        captured = CapturedJson(document.prefixes, document.mapper)
        node, edge = captured.node, captured.edge
        for kind, items in document.raw_sections(container):
            section = _Section(out, kind, first)
            parts = section.parts
            named: dict[str, list[bytes]] = {}
            # Elements have one record per id: written at once. A relation identifier may
            # repeat (an array in PROV-JSON): named relations wait for the end of the section.
            element = KIND_BY_NAME[kind].is_element
            for item in items:
                if isinstance(item, Record):
                    encoded = _dumps(body(item))
                    if item.id is None:
                        counter[0] += 1
                        parts.append(b'"_:id%d":' % counter[0] + encoded)
                    elif element:
                        parts.append(_dumps(qname(item.id)) + b":" + encoded)
                    else:
                        named.setdefault(qname(item.id), []).append(encoded)
                elif element:
                    key, node_body = node(*cast("CapturedNode", item))
                    parts.append(_dumps(key) + b":" + _dumps(node_body))
                else:
                    counter[0] += 1
                    parts.append(b'"_:id%d":' % counter[0]
                                 + _dumps(edge(*cast("CapturedEdge", item))))
                if len(parts) >= 512:
                    section.flush()
            for key in sorted(named):
                items_of = named[key]
                joined = items_of[0] if len(items_of) == 1 else b"[" + b",".join(items_of) + b"]"
                parts.append(_dumps(key) + b":" + joined)
            first = section.close()
        return first

    def read(self, stream: IO[bytes], source: str) -> ParsedDocument:
        try:
            data = orjson.loads(stream.read())
        except orjson.JSONDecodeError as exc:
            raise ProvSyntaxError(f"not JSON: {exc}") from None
        if not isinstance(data, dict):
            raise ProvSyntaxError("a PROV-JSON document is a JSON object")
        top = _prefixes(data.get("prefix"), PrefixMap(BUILTIN_NAMESPACES), "prefix")
        namespaces = list(top[0].by_prefix.items())
        if top[1]:
            namespaces.append(("", top[1]))
        bundles = data.get("bundle") or {}
        if not isinstance(bundles, dict):
            raise ProvSyntaxError('"bundle" must be an object')
        for body in bundles.values():
            if isinstance(body, dict):
                inner = _prefixes(body.get("prefix"), PrefixMap(), "bundle prefix")[0]
                namespaces.extend(inner.by_prefix.items())
        return ParsedDocument(namespaces, _records(data, top, bundles))


class _Section:
    """One ``"kind":{...}`` of a container, written in pieces; nothing when it is empty."""

    def __init__(self, out: IO[bytes], kind: str, first: bool) -> None:
        self.out = out
        self.kind = kind
        self.first = first  # nothing written in the container yet
        self.started = False
        self.parts: list[bytes] = []

    def flush(self) -> None:
        if not self.parts:
            return
        joined = b",".join(self.parts)
        if self.started:
            self.out.write(b"," + joined)
        else:
            self.out.write((b"" if self.first else b",") + _dumps(self.kind) + b":{" + joined)
            self.started, self.first = True, False
        self.parts.clear()

    def close(self) -> bool:
        """End the section; whether the container is still empty."""
        self.flush()
        if self.started:
            self.out.write(b"}")
        return self.first


def _prefix_block(prefixes: PrefixMap) -> dict[str, str]:
    return {p: uri for p, uri in sorted(prefixes.by_prefix.items())
            if p not in _IMPLICIT and p in prefixes.used}


def _prefixes(block: Any, base: PrefixMap, where: str) -> tuple[PrefixMap, str | None]:
    if block is None:
        return base, None
    if not isinstance(block, dict):
        raise ProvSyntaxError(f'"{where}" must be an object of prefix -> namespace')
    default = None
    for prefix, uri in block.items():
        if not isinstance(uri, str):
            raise ProvSyntaxError(f"prefix {prefix!r}: the namespace must be a string")
        if prefix == "default":
            default = uri
        else:
            base.by_prefix[prefix] = uri
    return base, default


class _Names:
    """Qualified names of one container -> IRIs."""

    def __init__(self, prefixes: PrefixMap, default: str | None) -> None:
        self.prefixes = prefixes
        self.default = default

    def iri(self, name: Any, where: str) -> str:
        if not isinstance(name, str) or not name:
            raise ProvSyntaxError(f"expected a qualified name, got {_kind(name)}", where)
        prefix, sep, local = name.partition(":")
        if sep:
            uri = self.prefixes.by_prefix.get(prefix)
            if uri is not None:
                return uri + local
            if local.startswith("//") or prefix in ("urn", "http", "https"):
                return name  # a full IRI
            raise ProvSyntaxError(f"undeclared prefix {shown(prefix)} in {shown(name)}", where)
        if self.default is not None:
            return self.default + name
        raise ProvSyntaxError(f"{shown(name)} has no prefix and there is no default namespace",
                              where)

    def value(self, key: str, raw: Any, where: str) -> Attr:
        if isinstance(raw, dict):
            if "$" not in raw:
                raise ProvSyntaxError(f"attribute {_cut(key)}: a typed value needs '$'", where)
            lexical = raw["$"]
            datatype = raw.get("type")
            lang = raw.get("lang")
            if not isinstance(lexical, (str, int, float, bool)):
                raise ProvSyntaxError(f"attribute {_cut(key)}: '$' must be a string, number or "
                                      f"boolean, not {_kind(lexical)}", where)
            for part, given in (("type", datatype), ("lang", lang)):
                if given is not None and not isinstance(given, str):
                    raise ProvSyntaxError(f"attribute {_cut(key)}: {part!r} must be a string, not "
                                          f"{_kind(given)}", where)
            if datatype is not None:
                datatype = compact_builtin(self.iri(datatype, where))
            if datatype in QUALIFIED_NAME_TYPES:
                lexical = self.iri(lexical, where)
            elif not isinstance(lexical, str):
                lexical = orjson.dumps(lexical).decode()
            return (self.iri(key, where), lexical, datatype, lang)
        if isinstance(raw, (str, int, float, bool)):
            return (self.iri(key, where), raw, None, None)
        raise ProvSyntaxError(f"attribute {_cut(key)}: a value must be a string, number, boolean "
                              f"or {{\"$\": ...}}, not {_kind(raw)}", where)


def _cut(name: str) -> str:
    """A name for a ``where``: as it is when short and printable, else shortened."""
    return name if len(name) <= 80 and name.isprintable() else shown(name, 80)


def _kind(value: Any) -> str:
    """What a JSON value is, in words, bounded (never the value itself when large)."""
    if isinstance(value, list):
        return f"an array of {len(value)} items"
    if isinstance(value, dict):
        return f"an object of {len(value)} keys"
    return shown(value)


def _records(data: Mapping[str, Any], top: tuple[PrefixMap, str | None],
             bundles: Mapping[str, Any]) -> Iterator[Record]:
    names = _Names(*top)
    yield from _container(data, names, None)
    for bundle_name, body in bundles.items():
        if not isinstance(body, dict):
            raise ProvSyntaxError("a bundle must be an object", f"bundle {_cut(bundle_name)}")
        inner_map = PrefixMap()
        inner_map.by_prefix.update(top[0].by_prefix)
        inner, default = _prefixes(body.get("prefix"), inner_map, "bundle prefix")
        inner_names = _Names(inner, default or top[1])
        # A bundle's name resolves with the bundle's own prefixes (as the prov package does).
        bundle_iri = inner_names.iri(bundle_name, f"bundle {bundle_name}")
        yield Record("bundle", bundle_iri)
        yield from _container(body, inner_names, bundle_iri)


def _container(data: Mapping[str, Any], names: _Names, bundle: str | None) -> Iterator[Record]:
    for kind_name, group in data.items():
        if kind_name in ("prefix", "bundle"):
            continue
        kind = KIND_BY_NAME.get(kind_name)
        if kind is None:
            raise ProvSyntaxError(f"unknown record type {shown(kind_name)}")
        if not isinstance(group, dict):
            raise ProvSyntaxError(f"{kind_name!r} must be an object of id -> record")
        formal = {arg.name: arg for arg in kind.args}
        for rec_name, content in group.items():
            where = f"{kind_name} {_cut(rec_name)}"
            bodies = content if isinstance(content, list) else [content]
            rec_id = None if rec_name.startswith("_:") else names.iri(rec_name, where)
            for body in bodies:
                if not isinstance(body, dict):
                    raise ProvSyntaxError("a record must be an object", where)
                yield from _record(kind_name, rec_id, body, formal, names, bundle, where)


def _record(kind_name: str, rec_id: str | None, body: Mapping[str, Any], formal: dict[str, Any],
            names: _Names, bundle: str | None, where: str) -> Iterator[Record]:
    args: dict[str, str] = {}
    attrs: list[Attr] = []
    members: list[str] = []
    for key, raw in body.items():
        arg = formal.get(key)
        if arg is None:
            for item in raw if isinstance(raw, list) else [raw]:
                if item is not None:
                    attrs.append(names.value(key, item, where))
            continue
        if kind_name == "hadMember" and key == "prov:entity" and isinstance(raw, list):
            members = [names.iri(item, where) for item in raw]
            continue
        if isinstance(raw, list):
            if len(raw) != 1:
                raise ProvSyntaxError(f"{key} takes one value", where)
            raw = raw[0]
        if arg.kind == TIME:
            if isinstance(raw, dict):
                raw = raw.get("$")
            if not isinstance(raw, str):
                raise ProvSyntaxError(f"{key} must be an xsd:dateTime string, not "
                                      f"{_kind(raw)}", where)
            args[key] = raw
        else:
            args[key] = names.iri(raw, f"{where}: {key}")
    if members:
        for member in members:
            yield Record(kind_name, rec_id, {**args, "prov:entity": member}, list(attrs), bundle)
    else:
        yield Record(kind_name, rec_id, args, attrs, bundle)
