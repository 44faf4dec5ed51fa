"""Sections declared where their component lives: discovery, environment, paths, kinds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from capture.hubs.config import RedisHubSettings
from capture.hubs.memory import MemoryHub
from keeper.stores.config import Neo4jSettings
from provgraph.core import config, redact, registry
from provgraph.core.config import load_settings, section
from provgraph.core.errors import SettingsError


@section("tests.widget", env={"PROVGRAPH_TEST_WIDGET_SIZE": "size"},
         paths={"widget_dir": ("folder", "widgets")})
@dataclass
class WidgetSettings:
    size: int = 3
    folder: str = ""
    hub: str = field(default="file", metadata={"registry": registry.HUBS})


def test_every_installed_section_is_in_the_tree(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # no ./provgraph.yaml: the defaults
    settings = load_settings(environ={})
    paths = {spec.path for spec in config.declared_sections()}
    assert {"", "instrumentation", "buffer", "hub", "hub.file", "hub.redis", "entities",
            "keeper", "store", "store.neo4j", "store.embedded", "services"} <= paths
    assert settings.section(RedisHubSettings) is settings.hub.redis
    assert settings.section(Neo4jSettings).uri == "bolt://127.0.0.1:7687"
    assert set(settings.to_dict()) >= {"data_dir", "hub", "store", "keeper", "source"}


def test_a_section_declared_in_process_reads_file_and_environment(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("tests:\n  widget:\n    size: 5\n    folder: /tmp/w\n")
    settings = load_settings(path, environ={})
    assert settings.tests.widget.size == 5
    assert settings.widget_dir == Path("/tmp/w")
    settings = load_settings(path, environ={"PROVGRAPH_TEST_WIDGET_SIZE": "9"})
    assert settings.tests.widget.size == 9
    assert load_settings(environ={"PROVGRAPH_DATA_DIR": "/d"}).widget_dir == Path("/d/widgets")


def test_a_kind_is_checked_against_its_registry_not_a_fixed_list(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("tests:\n  widget:\n    hub: test-widget-hub\n")
    with pytest.raises(SettingsError, match="must be one of file, memory, redis"):
        load_settings(path, environ={})

    class WidgetHub(MemoryHub):
        kind = "test-widget-hub"

    assert load_settings(path, environ={}).tests.widget.hub == "test-widget-hub"
    assert load_settings(environ={"PROVGRAPH_HUB": "mypkg.hubs:KafkaHub"}).hub.kind == (
        "mypkg.hubs:KafkaHub")  # a dotted path is checked when the hub is created


def test_unknown_keys_name_what_is_known(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("tests:\n  widgets: {}\n")
    with pytest.raises(SettingsError, match=r"unknown key 'tests.widgets' \(known here: widget\)"):
        load_settings(path, environ={})


def test_a_section_must_be_a_dataclass_and_env_names_are_unique() -> None:
    with pytest.raises(TypeError, match="must be a dataclass"):
        section("tests.bad")(type("Bad", (), {}))

    @dataclass
    class Clash:
        n: int = 0

    with pytest.raises(SettingsError, match="both claim"):
        section("tests.clash", env={"PROVGRAPH_TEST_WIDGET_SIZE": "n"})(Clash)
    assert dataclasses.is_dataclass(WidgetSettings)


@pytest.mark.parametrize(("url", "shown"), [
    ("redis://user:Pw@atSECRET@127.0.0.1:6379/0", "redis://user:***@127.0.0.1:6379/0"),
    ("redis://:p:a/ss@h/0", "redis://***@h/0"),
    ("rediss://u:p%40ss%2Fx@h:1", "rediss://u:***@h:1"),
    ("https://TOKEN@github.com/org/repo.git", "https://***@github.com/org/repo.git"),
    ("bolt://127.0.0.1:7687", "bolt://127.0.0.1:7687"),
])
def test_url_credentials_are_hidden_whole(url: str, shown: str) -> None:
    redacted = redact.redact_url(url)
    assert redacted == shown
    for secret in ("Pw", "atSECRET", "p%40ss", "TOKEN", "ss@h"):
        if secret in url and secret not in shown:
            assert secret not in redacted


def test_settings_built_in_code_take_the_root_fields(tmp_path: Path) -> None:
    settings = config.Settings(data_dir=str(tmp_path))
    assert settings.buffer_file == tmp_path / "buffer.jsonl"
    assert settings.hub.kind == "file" and settings.environment_id == ""
