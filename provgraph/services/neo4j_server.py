"""Neo4j Community 5.26 (``provgraph/services/neo4j``, built with Maven) serving Bolt on
127.0.0.1.

The Maven project ships inside the package, so ``pip install`` users get it too; it is
built into ``$XDG_CACHE_HOME/provgraph/neo4j-service-<hash of its sources>/`` (default
``~/.cache``), never into the installed package, once per version of the sources.
State lives in ``<data_dir>/services/neo4j/``: ``data/``, ``logs/`` (Neo4j's ``debug.log`` and
our ``console.log``), ``neo4j.pid``, ``build.log``. The login is passed through the environment
and (re)applied by the Java launcher on every start.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import time
from pathlib import Path
from typing import Literal

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, DriverError, Neo4jError

from provgraph.core.config import Settings
from provgraph.core.errors import ServiceError
from provgraph.services.common import (
    HOST,
    POLL_S,
    Echo,
    ServiceStatus,
    apt_install,
    pid_of,
    service_home,
    terminate,
)

logger = logging.getLogger(__name__)

PROJECT = Path(__file__).resolve().parent / "neo4j"
MARKER = "provgraph.neo4j.Neo4jService"  # the Java main class, also our pid-file check
# What Neo4j's own launcher passes on Java 17, minus the options that pre-touch memory.
JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+ExitOnOutOfMemoryError",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Dlog4j2.disable.jmx=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
)


def pid_file(settings: Settings) -> Path:
    return service_home(settings, "neo4j") / "neo4j.pid"


def log_file(settings: Settings) -> Path:
    return service_home(settings, "neo4j") / "logs" / "console.log"


def bolt_state(settings: Settings) -> Literal["ok", "rejected", "down"]:
    """Whether Bolt on our port accepts the configured login."""
    uri = f"bolt://{HOST}:{settings.services.neo4j_bolt_port}"
    auth = (settings.store.neo4j.user, settings.store.neo4j.password)
    try:
        with GraphDatabase.driver(uri, auth=auth, connection_timeout=2.0) as driver:
            driver.verify_connectivity()
    except AuthError:
        return "rejected"
    except (DriverError, Neo4jError, OSError):
        return "down"
    return "ok"


def status(settings: Settings) -> ServiceStatus:
    state = bolt_state(settings)
    pid = pid_of(pid_file(settings), MARKER)
    running = state != "down"
    problem = ""
    if state == "rejected":
        problem = f"rejects user {settings.store.neo4j.user!r} with the configured password"
    address = f"{HOST}:{settings.services.neo4j_bolt_port}"
    ours = running and pid is not None
    return ServiceStatus("neo4j", running, ours, address, pid, log_file(settings), problem)


def up(settings: Settings, echo: Echo) -> ServiceStatus:
    """Build if needed and start Neo4j, unless Bolt already answers on the port."""
    current = status(settings)
    if current.running:
        echo(current.line("already"))
        if current.problem:
            hint = " (ours: `down` then `up` applies the password)" if current.ours else ""
            raise ServiceError(
                f"neo4j on {current.address} {current.problem}{hint}; log {current.log}"
            )
        return current
    _ensure_built(settings, echo)
    _start(settings)
    current = status(settings)
    echo(current.line("started,"))
    echo(f"neo4j: its own logs (debug.log, security.log) are in {current.log.parent}")
    return current


def _sources() -> list[Path]:
    pom = PROJECT / "pom.xml"
    if not pom.is_file():
        raise ServiceError(f"{pom} is missing: the provgraph installation is incomplete")
    return [pom, *sorted((PROJECT / "src").rglob("*.java"))]


def build_dir() -> Path:
    """Where the Maven project is built: a cache directory named by the sources' hash."""
    digest = hashlib.sha256()
    for path in _sources():
        digest.update(path.relative_to(PROJECT).as_posix().encode() + b"\0" + path.read_bytes())
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "provgraph" / f"neo4j-service-{digest.hexdigest()[:16]}"


def _ensure_built(settings: Settings, echo: Echo) -> None:
    """Build the Maven project into :func:`build_dir` unless that build is complete."""
    pom, target = PROJECT / "pom.xml", build_dir()
    stamp = target / ".provgraph-built"
    if stamp.exists():
        return
    log = service_home(settings, "neo4j") / "build.log"
    if not (shutil.which("mvn") and shutil.which("javac")):
        apt_install(["openjdk-17-jdk-headless", "maven"], log, echo)
    echo(f"neo4j: building {PROJECT} with Maven; log {log}")
    shutil.rmtree(target / "lib", ignore_errors=True)  # no stale jars of another version
    log.parent.mkdir(parents=True, exist_ok=True)
    mvn = shutil.which("mvn") or "mvn"
    command = [mvn, "-q", "-B", "-f", str(pom), f"-Dprovgraph.build.directory={target}",
               "compile"]
    with log.open("ab") as out:
        result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise ServiceError(f"building Neo4j with Maven failed; see {log}")
    stamp.touch()


def _start(settings: Settings) -> None:
    home, log = service_home(settings, "neo4j"), log_file(settings)
    log.parent.mkdir(parents=True, exist_ok=True)
    ready = home / "ready"  # written by Neo4jService once the login is set
    ready.unlink(missing_ok=True)
    java = shutil.which("java")
    if java is None:
        raise ServiceError("java is not on PATH (apt-get install openjdk-17-jre-headless)")
    target, services = build_dir(), settings.services
    command = [
        java, f"-Xmx{services.neo4j_heap}", *JVM_OPTIONS,
        "-cp", f"{target / 'classes'}:{target / 'lib'}/*", MARKER,
        str(home), str(services.neo4j_bolt_port), services.neo4j_pagecache,
    ]  # fmt: skip
    env = {
        **os.environ,
        "PROVGRAPH_NEO4J_SERVICE_USER": settings.store.neo4j.user,
        "PROVGRAPH_NEO4J_SERVICE_PASSWORD": settings.store.neo4j.password,
    }
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, cwd=home, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    pid_file(settings).write_text(f"{process.pid}\n")
    logger.debug("started neo4j, pid %s: %s", process.pid, command)
    _wait_for_bolt(settings, process, ready)


def _wait_for_bolt(settings: Settings, process: subprocess.Popen[bytes], ready: Path) -> None:
    log, timeout_s = log_file(settings), settings.services.start_timeout_s
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        code = process.poll()
        if code is not None:
            pid_file(settings).unlink(missing_ok=True)
            raise ServiceError(f"neo4j exited with code {code} while starting; see {log}")
        # Probe only once the login is set: an earlier try would count as a failed login.
        state = bolt_state(settings) if ready.exists() else "down"
        if state == "ok":
            return
        if state == "rejected":
            break
        time.sleep(POLL_S)
    terminate(process.pid)
    pid_file(settings).unlink(missing_ok=True)
    raise ServiceError(f"neo4j did not accept our login on Bolt within {timeout_s:.0f}s; see {log}")
