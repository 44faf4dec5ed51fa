"""No part of a Redis password leaves the process: not the workflow message's settings
snapshot, not the spool, not a warning or an error on stderr, whatever the password holds
(``@``, ``:``, ``/``, percent-escapes). Against the real Redis, which refuses the login."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from provgraph.core.config import load_settings
from provgraph.core.redact import redact_url, url_credentials

pytestmark = pytest.mark.integration

MARK = "zq9"  # in every part of every password: any fragment that leaks contains it
PASSWORDS = [
    f"{MARK}@{MARK}",
    f"{MARK}:{MARK}/{MARK}",
    f"{MARK}%40{MARK}%2F{MARK}",
    f"{MARK}@{MARK}:{MARK}/{MARK}%3F{MARK}",
]
PRODUCER = """
from capture import Flowcept, flowcept_task

@flowcept_task
def f(x):
    return x

with Flowcept(workflow_name="redaction", start_persistence=False):
    f(1)
"""


def run(args: list[str], url: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PROVGRAPH_HUB": "redis", "PROVGRAPH_REDIS_URL": url,
           "PROVGRAPH_DATA_DIR": str(data_dir), "PROVGRAPH_STORE": "embedded"}
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("password", PASSWORDS)
def test_a_redis_password_never_leaks(tmp_path: Path, password: str) -> None:
    port = load_settings().services.redis_port
    url = f"redis://user:{password}@127.0.0.1:{port}/0"
    data_dir = tmp_path / "data"
    produced = run(["-c", PRODUCER], url, data_dir)
    assert produced.returncode == 0, produced.stderr
    assert "is unavailable" in produced.stderr  # the login was refused: batches spooled
    assert f"redis://user:***@127.0.0.1:{port}/0" in produced.stderr
    spooled = [line for path in (data_dir / "spool").glob("*.spool")
               for line in path.read_bytes().splitlines() if line.strip()]
    assert spooled
    messages = [m for line in spooled for m in orjson.loads(line.partition(b"\t")[2])]
    [workflow] = [m for m in messages if m.get("type") == "workflow"]
    assert workflow["flowcept_settings"]["hub"]["redis"]["url"] == (
        f"redis://user:***@127.0.0.1:{port}/0")
    keeper = run(["-m", "provgraph.cli", "keeper", "run", "--until-idle", "-q"], url, data_dir)
    assert keeper.returncode == 2 and "refused the credentials" in keeper.stderr
    for where, text in (("producer output", produced.stdout + produced.stderr),
                        ("keeper output", keeper.stdout + keeper.stderr)):
        assert MARK not in text, f"the password leaked into the {where}: {text}"
    for path in data_dir.rglob("*"):
        if path.is_file():
            assert MARK.encode() not in path.read_bytes(), f"the password leaked into {path}"


@pytest.mark.parametrize("password", PASSWORDS)
def test_credentials_are_split_at_the_last_at(password: str) -> None:
    clean, user, secret = url_credentials(f"redis://user:{password}@db.example:6379/2")
    assert clean == "redis://db.example:6379/2" and user == "user"
    assert secret is not None and secret.count(MARK) == password.count(MARK)
    assert redact_url(f"rediss://user:{password}@db.example/0") == "rediss://user:***@db.example/0"
