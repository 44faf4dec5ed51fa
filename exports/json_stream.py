"""A JSON document read piece by piece: the members of an object one at a time, each value
parsed (by the standard library's C scanner) only when asked for, from a window of the
file. A PROV-JSON document is a map of record types to maps of records, so a reader holds
one record at a time, never the document.

    json = JsonStream(handle)
    for kind in json.members():           # the top-level object's keys
        for name in json.members():       # the records of one kind
            body = json.value()           # one record, parsed

The values are those ``orjson.loads`` (the reader of a whole document) gives: ``NaN``,
``Infinity`` and numbers that are infinite as doubles are refused, an integer past 64 bits
is a double, and a string holding a lone surrogate (not UTF-8) is refused.
Memory: the window (a read of :data:`CHUNK` bytes, grown only while one value goes on past
it) and the value asked for.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import IO, Any, Final, NoReturn

from prov_model.prov_records import ProvSyntaxError

CHUNK: Final = 1 << 20  # bytes read at a time
_SPACE: Final = re.compile(r"[ \t\n\r]*")
_SURROGATE: Final = re.compile(r"\\u[dD][89abAB]|\\u[dD][c-fC-F]")
# A value cut by the end of the window fails near that end (a literal such as "fals" at
# most 9 characters before it) or as an unterminated string: only then is more read.
_NEAR_END: Final = 16


def _constant(name: str) -> NoReturn:
    raise ProvSyntaxError(f"not JSON: {name} is not a JSON number")


def _float(text: str) -> float:
    value = float(text)
    if value - value != 0.0:
        raise ProvSyntaxError(f"not JSON this reader can hold: {text[:40]} is infinity "
                              "as a double")
    return value


def _int(text: str) -> int | float:
    """An integer as orjson reads it: past 64 bits, a double."""
    if len(text) < 19 or (len(text) < 22 and _INT_RANGE[0] <= int(text) <= _INT_RANGE[1]):
        return int(text)
    return _float(text)


_INT_RANGE: Final = (-(2**63), 2**64 - 1)


class JsonStream:
    """The JSON text of ``stream`` (bytes, UTF-8), read :data:`CHUNK` bytes at a time."""

    def __init__(self, stream: IO[bytes], chunk: int = CHUNK) -> None:
        self._stream = stream
        self._chunk = chunk
        self._decode = codecs.getincrementaldecoder("utf-8")().decode
        self._scan = json.JSONDecoder(parse_constant=_constant, parse_int=_int,
                                      parse_float=_float).raw_decode
        self._buf = ""
        self._pos = 0
        self._dropped = 0  # characters of the document before the window
        self._eof = False

    @property
    def offset(self) -> int:
        """Characters of the document read so far (where an error is)."""
        return self._dropped + self._pos

    def _more(self) -> bool:
        if self._eof:
            return False
        data = self._stream.read(self._chunk)
        try:
            text = self._decode(data, final=not data)
        except UnicodeDecodeError as exc:
            raise ProvSyntaxError(f"not UTF-8 text ({exc.reason}) after character "
                                  f"{self._dropped + len(self._buf)}") from None
        self._eof = not data
        self._dropped += self._pos
        self._buf = self._buf[self._pos:] + text
        self._pos = 0
        return True

    def _peek(self) -> str:
        while True:
            self._pos = _SPACE.match(self._buf, self._pos).end()  # type: ignore[union-attr]
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def _expect(self, char: str, what: str) -> None:
        found = self._peek()
        if found != char:
            seen = repr(found) if found else "the end"
            raise ProvSyntaxError(f"not JSON: expected {what}, found {seen} at character "
                                  f"{self.offset}")
        self._pos += 1

    def value(self) -> Any:
        """The next JSON value, parsed."""
        self._peek()
        while True:
            try:
                value, end = self._scan(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                cut = (exc.msg.startswith("Unterminated string")
                       or exc.pos >= len(self._buf) - _NEAR_END)
                if cut and self._more():
                    continue  # the value goes on past the window
                raise ProvSyntaxError(f"not JSON: {exc.msg} at character "
                                      f"{self._dropped + exc.pos}") from None
            except RecursionError:
                raise ProvSyntaxError("not JSON this reader can hold: nested too deep") \
                    from None
            if end == len(self._buf) and self._more():
                continue  # a number may go on in the next chunk
            if "\\" in self._buf[self._pos:end] and _SURROGATE.search(self._buf, self._pos, end):
                _check_surrogates(value)
            self._pos = end
            return value

    def skip(self) -> None:
        """Pass over the next value; an object's members one at a time (a big map of
        records is never held whole)."""
        if self._peek() == "{":
            for _ in self.members():
                self.skip()
        else:
            self.value()

    def is_object(self) -> bool:
        return self._peek() == "{"

    def members(self) -> Iterator[str]:
        """The keys of the object that comes next; after each key, the caller reads its
        value (:meth:`value`, :meth:`skip` or :meth:`members`) before asking for the next."""
        self._expect("{", "an object")
        if self._peek() == "}":
            self._pos += 1
            return
        while True:
            if self._peek() != '"':
                raise ProvSyntaxError(f"not JSON: expected a key at character {self.offset}")
            key = self.value()
            self._expect(":", "':'")
            yield key
            if self._peek() == ",":
                self._pos += 1
                continue
            self._expect("}", "',' or '}'")
            return

    def end(self) -> None:
        """Check that nothing but white space follows."""
        if self._peek():
            raise ProvSyntaxError(f"not JSON: text after the document at character "
                                  f"{self.offset}")


def _check_surrogates(value: Any) -> None:
    """Refuse a string holding a lone surrogate (``"\\ud800"``), as orjson does: it is not
    text, and no store or writer can hold it. A pair is joined by the scanner already."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise ProvSyntaxError("not JSON: a string holds a lone surrogate") from None
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
