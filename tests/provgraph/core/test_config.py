"""Settings resolution: defaults, YAML file, environment; clear errors; redaction."""

from __future__ import annotations

from pathlib import Path

import pytest

from provgraph.core.config import load_settings
from provgraph.core.errors import SettingsError
from provgraph.core.redact import redact


def test_defaults_need_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.hub.kind == "file"
    assert settings.store.kind == "embedded"
    assert settings.data_dir == "./provgraph-data"
    assert settings.buffer_file == Path("provgraph-data/buffer.jsonl")
    assert settings.source == ""


def test_file_then_environment(tmp_path: Path) -> None:
    path = tmp_path / "provgraph.yaml"
    path.write_text(
        "hub:\n  kind: redis\n  redis:\n    url: redis://h:1/0\n"
        "buffer:\n  max_batch: 10\n"
        "instrumentation:\n  telemetry:\n    enabled: true\n"
    )
    settings = load_settings(
        environ={"PROVGRAPH_SETTINGS": str(path), "PROVGRAPH_REDIS_URL": "redis://env:2/0"}
    )
    assert settings.hub.kind == "redis"
    assert settings.hub.redis.url == "redis://env:2/0"  # environment wins
    assert settings.buffer.max_batch == 10
    assert settings.instrumentation.telemetry.enabled is True
    assert settings.source == str(path)


def test_local_file_is_discovered(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "provgraph.yaml").write_text("store:\n  kind: neo4j\n")
    monkeypatch.chdir(tmp_path)
    assert load_settings(environ={}).store.kind == "neo4j"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("buffer:\n  max_batch: lots\n", "key 'buffer.max_batch' must be a int"),
        ("hub:\n  kind: kafka\n", "key 'hub.kind' must be one of file, memory, redis"),
        ("hubb:\n  kind: file\n", "unknown key 'hubb'"),
        ("hub: [1, 2]\n", "key 'hub' must be a mapping"),
        ("hub: {kind: file\n", "not valid YAML"),
    ],
)
def test_broken_file_names_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(SettingsError) as caught:
        load_settings(path, environ={})
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_bad_environment_value_names_the_key() -> None:
    with pytest.raises(SettingsError, match=r"environment: key 'instrumentation\.enabled'"):
        load_settings(environ={"PROVGRAPH_INSTRUMENTATION": "maybe"})


def test_missing_settings_file_is_reported() -> None:
    with pytest.raises(SettingsError, match="does not exist"):
        load_settings(environ={"PROVGRAPH_SETTINGS": "/nonexistent/provgraph.yaml"})


def test_secrets_are_redacted() -> None:
    settings = load_settings(
        environ={"PROVGRAPH_NEO4J_PASSWORD": "hunter2",
                 "PROVGRAPH_REDIS_URL": "redis://user:s3cret@host:6379/0"}
    )
    redacted = settings.redacted()
    assert redacted["store"]["neo4j"]["password"] == "***"
    assert redacted["hub"]["redis"]["url"] == "redis://user:***@host:6379/0"
    assert "hunter2" not in str(redacted) and "s3cret" not in str(redacted)
    assert redact({"tokenizer": "bert", "api_key": "k"}) == {"tokenizer": "bert", "api_key": "***"}
