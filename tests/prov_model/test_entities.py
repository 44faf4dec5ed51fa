"""Entity identity: shared (content-addressed) versus usage-local values."""

from __future__ import annotations

import hashlib
from typing import Any

import orjson
import pytest

from prov_model import canonical_json, entity_node, plan_node
from prov_model.config import EntitySettings

S = EntitySettings()


def shared(value: Any, settings: EntitySettings = S) -> bool:
    return entity_node(value, "t/used/r", settings).id != "t/used/r"


@pytest.mark.parametrize(
    "value",
    [
        "x" * 16,
        "/tmp/a.csv",
        "./data",
        "~/x",
        "s3://bucket/key",
        "C:\\data",
        "Foo_instance_id_140234",
        list(range(8)),
        {"a": 1, "b": 2, "c": 3},
    ],
)
def test_shared_values(value: Any) -> None:
    assert shared(value)


@pytest.mark.parametrize(
    "value", [None, True, False, 0, 3, 2.5, "x" * 15, "short", "1/2", [1, 2], {"a": 1}, ""]
)
def test_trivial_values(value: Any) -> None:
    assert not shared(value)


def test_content_id_is_sha256_of_canonical_json() -> None:
    value = {"b": [1, 2, 3], "a": "some text here"}
    node = entity_node(value, "t/used/r", S)
    canonical = orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    assert canonical_json(value) == canonical
    assert node.id == "e:" + hashlib.sha256(canonical).hexdigest()[:32]
    assert entity_node({"a": "some text here", "b": [1, 2, 3]}, "x", S).id == node.id
    assert node.props == {
        "value_type": "object", "size_bytes": len(canonical),
        "hash": hashlib.sha256(canonical).hexdigest(), "value": canonical.decode(),
    }


def test_thresholds_come_from_settings() -> None:
    loose = EntitySettings(min_shared_chars=4, min_shared_json_bytes=4)
    assert shared("abcd", loose) and not shared("abcd")
    assert shared([1, 2], loose) and not shared([1, 2])


def test_large_values_keep_hash_not_value() -> None:
    node = entity_node(list(range(1000)), "l", S)
    assert "value" not in node.props and node.props["value_type"] == "array"
    assert node.props["size_bytes"] > 1024 and len(node.props["hash"]) == 64
    text = entity_node("y" * 2000, "l", S)
    assert "value" not in text.props and text.props["size_bytes"] == 2002


def test_inline_limit_from_settings() -> None:
    tiny = EntitySettings(max_inline_bytes=10)
    node = entity_node("z" * 20, "l", tiny)
    assert "value" not in node.props
    assert entity_node(5, "l", tiny).props["value"] == 5


def test_scalar_types() -> None:
    assert entity_node(None, "l", S).props == {"value_type": "null", "size_bytes": 4}
    assert entity_node(True, "l", S).props["value_type"] == "boolean"
    assert entity_node(2.5, "l", S).props == {"value_type": "number", "size_bytes": 3,
                                              "value": 2.5}
    assert entity_node(2**64 - 1, "l", S).props["value"] == str(2**64 - 1)


def test_instance_id_entity() -> None:
    node = entity_node("Model_instance_id_12", "l", S)
    assert node.props["value_type"] == "instance" and node.props["class_name"] == "Model"


def test_unserializable_value_becomes_instance_id() -> None:
    class Thing:
        pass

    node = entity_node(Thing(), "l", S)
    assert node.props["value_type"] == "instance" and node.props["class_name"] == "Thing"


def test_plan_ids_are_stable() -> None:
    code = {"module": "m", "qualname": "C.f", "source_hash": "h1"}
    first, again = plan_node(code, None), plan_node(dict(code), "ignored")
    assert first is not None and again is not None
    assert first.id == again.id == "plan:m:C.f@h1" and first is not again
    assert first.props == {"module": "m", "qualname": "C.f", "source_hash": "h1", "name": "m.C.f"}
    other = plan_node({**code, "source_hash": "h2"}, None)
    assert other is not None and other.id != first.id
    assert plan_node(None, None) is None
    by_activity = plan_node(None, "act")
    assert by_activity is not None and by_activity.id == "plan:act"
