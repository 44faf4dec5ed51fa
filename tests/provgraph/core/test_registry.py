"""The by-name registry: in-process registration, entry points, dotted paths, clear errors."""

from __future__ import annotations

import importlib.metadata

import pytest

from capture.hubs.base import HUBS, Hub
from capture.hubs.memory import MemoryHub
from keeper.stores.base import STORES
from provgraph.core import registry
from provgraph.core.errors import CapabilityMissingError, ExtensionError, HubError, StoreError
from provgraph.core.registry import Registry


def test_built_ins_are_entry_points_of_their_groups() -> None:
    assert set(registry.entry_points(registry.HUBS)) == {"file", "memory", "redis", "redis-cluster"}
    assert set(registry.entry_points(registry.STORES)) == {"embedded", "neo4j"}
    assert set(registry.entry_points(registry.SOURCES)) == {"file", "redis", "redis-cluster"}
    commands = set(registry.entry_points(registry.COMMANDS))
    assert {"demo", "keeper", "replay", "services", "verify"} <= commands
    assert "persistence" in registry.entry_points(registry.PROVIDERS)
    assert "instrumentation" in registry.entry_points(registry.ADAPTERS)


def test_get_loads_an_entry_point_by_name() -> None:
    assert HUBS.get("memory") is MemoryHub
    assert STORES.get("embedded").__name__ == "EmbeddedStore"


def test_a_subclass_registers_itself_by_kind() -> None:
    class LoopbackHub(MemoryHub):
        kind = "test-loopback"

    assert HUBS.get("test-loopback") is LoopbackHub
    assert "test-loopback" in HUBS.kinds()


def test_a_dotted_path_names_a_class_outside_the_registry() -> None:
    assert HUBS.get("capture.hubs.memory:MemoryHub") is MemoryHub
    assert HUBS.get("capture.hubs.memory.MemoryHub") is MemoryHub
    with pytest.raises(HubError, match="no 'Nope'"):
        HUBS.get("capture.hubs.memory:Nope")
    with pytest.raises(HubError, match="cannot import"):
        HUBS.get("no_such_package.hubs:Hub")


def test_an_unknown_kind_lists_the_known_ones() -> None:
    with pytest.raises(StoreError, match=r"unknown store kind 'mongo'; known: embedded, neo4j"):
        STORES.get("mongo")
    with pytest.raises(HubError, match="non-empty string"):
        HUBS.get("")


def test_a_missing_optional_dependency_names_the_extra() -> None:
    ep = importlib.metadata.EntryPoint(
        name="dask", value="provgraph_no_such_module.adapter:DaskAdapter [dask]",
        group=registry.ADAPTERS,
    )
    with pytest.raises(CapabilityMissingError, match=r"pip install 'provgraph\[dask\]'"):
        registry.load_entry_point(ep, "adapter")
    plain = importlib.metadata.EntryPoint(name="x", value="provgraph_no_such_module:X",
                                          group="g")
    with pytest.raises(ExtensionError, match="cannot be loaded"):
        registry.load_entry_point(plain, "thing")


def test_known_kinds_of_a_group_without_a_registry_come_from_entry_points() -> None:
    assert registry.known_kinds(registry.HUBS) == HUBS.kinds()
    assert registry.known_kinds("provgraph.tests.nothing-here") == []


def test_a_registry_of_objects() -> None:
    shapes: Registry[int] = Registry("shape", "provgraph.tests.shapes")
    shapes.register("square", 4)
    assert shapes.get("square") == 4
    assert "square" in shapes and "circle" not in shapes
    assert issubclass(HUBS.get("file"), Hub)


def test_a_registry_declared_with_its_base_is_found_from_a_subclass() -> None:
    class Shape:
        pass

    class Square(Shape):
        pass

    shapes: Registry[type[Shape]] = Registry("shape", "tests.shapes", base=Shape)
    shapes.register("square", Square)
    assert registry.registry_for(Square) is shapes
    assert registry.registry_for(Shape) is shapes
    assert registry.registry_for(int) is None  # registries without a base are never matched
