"""A PROV-JSON value nested deep or of millions of items is refused with one bounded line
naming the record and the attribute; nothing is written (issue 23, item 9)."""

from __future__ import annotations

import io

import pytest

from exports import import_document
from keeper.stores.base import Store
from provgraph.core.errors import DocumentError

DEEP = "[" * 1000 + '"x"' + "]" * 1000
HUGE = "[" + ",".join(str(i) for i in range(3_000_000)) + "]"
HEAD = '{"prefix":{"ex":"http://e/"},'


@pytest.mark.parametrize("body,named", [
    ('"entity":{"ex:e":{"ex:attr":' + DEEP + '}}', "entity ex:e: attribute ex:attr"),
    ('"entity":{"ex:e":{"ex:attr":{"$":' + DEEP + ',"type":"xsd:string"}}}',
     "entity ex:e: attribute ex:attr"),
    ('"entity":{"ex:e":{"ex:attr":{"$":' + HUGE + ',"type":"xsd:string"}}}',
     "entity ex:e: attribute ex:attr"),
    ('"entity":{"ex:e":{"ex:attr":{"$":"x","lang":' + HUGE + '}}}',
     "entity ex:e: attribute ex:attr"),
    ('"wasGeneratedBy":{"_:g":{"prov:entity":"ex:e","prov:activity":[' + HUGE + ']}}',
     "wasGeneratedBy _:g: prov:activity"),
    ('"activity":{"ex:a":{"prov:startTime":' + DEEP + '}}', "activity ex:a: prov:startTime"),
    ('"entity":{' + ('"' + "x" * 5_000_000 + '"') + ':{}}', "has no prefix"),
])
def test_a_bad_value_is_one_bounded_line(store: Store, body: str, named: str) -> None:
    before = store.counts()
    with pytest.raises(DocumentError) as caught:
        import_document(store, io.BytesIO((HEAD + body + "}").encode()), "json",
                        name="bad.json")
    message = str(caught.value)
    assert message.startswith("bad.json: not valid PROV-JSON")
    assert named in message and "\n" not in message and len(message) <= 400, message[:500]
    assert store.counts() == before
