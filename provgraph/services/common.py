"""What both services share: where their state lives, pid files, stopping, apt installs."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from provgraph.core.config import Settings
from provgraph.core.errors import ServiceError

logger = logging.getLogger(__name__)

Echo = Callable[[str], None]
HOST = "127.0.0.1"
POLICY_RC_D = Path("/usr/sbin/policy-rc.d")
STOP_TIMEOUT_S = 30.0
POLL_S = 0.25


@dataclass(frozen=True)
class ServiceStatus:
    """One service as seen now: whether it answers, where, and whether we started it."""

    name: str
    running: bool
    ours: bool
    address: str
    pid: int | None
    log: Path
    problem: str = ""  # e.g. it answers but rejects the configured password

    def line(self, verb: str = "") -> str:
        """``redis: running (ours, pid 12) on 127.0.0.1:6379; log ...``; ``verb`` prefixes it."""
        if not self.running:
            state = "stopped"
        elif self.ours:
            state = f"running (ours, pid {self.pid})"
        else:
            state = "running (not ours)"
        if verb and self.running:
            state = f"{verb} {state}"
        problem = f" [{self.problem}]" if self.problem else ""
        return f"{self.name}: {state} on {self.address}{problem}; log {self.log}"


def service_home(settings: Settings, name: str) -> Path:
    """``<data_dir>/services/<name>``, absolute: data, logs and the pid file live there."""
    return (settings.data_path / "services" / name).resolve()


def pid_of(pid_file: Path, marker: str) -> int | None:
    """The pid in ``pid_file`` if that process is alive and its command line has ``marker``."""
    try:
        pid = int(pid_file.read_text().strip())
    except (OSError, ValueError):
        return None
    if not alive(pid):
        return None
    with contextlib.suppress(OSError):  # no /proc: trust the pid file
        if marker not in Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace"):
            return None
    return pid


def alive(pid: int) -> bool:
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # reap it when it is our own child that has exited
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, someone else's
        return True
    with contextlib.suppress(OSError, IndexError):  # an exited child init has not reaped yet
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def terminate(pid: int, timeout_s: float = STOP_TIMEOUT_S) -> None:
    """SIGTERM, wait up to ``timeout_s``, then SIGKILL and wait for it to be gone."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    while alive(pid):
        if time.monotonic() > deadline:
            logger.warning("pid %s ignored SIGTERM for %.0fs; killing it", pid, timeout_s)
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            deadline = float("inf")
        time.sleep(POLL_S / 5)


@contextlib.contextmanager
def exclusive(settings: Settings) -> Iterator[None]:
    """Serialise ``up``/``down`` of concurrent callers sharing one data dir."""
    lock = service_home(settings, ".lock")
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def apt_install(packages: Sequence[str], log: Path, echo: Echo) -> None:
    """``apt-get update`` + ``install -y``, non-interactive, output to ``log``."""
    names = " ".join(packages)
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        raise ServiceError(f"{names} missing; install it (apt-get install -y {names}) as root")
    echo(f"installing {names} with apt-get; log {log}")
    log.parent.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    commands = (["apt-get", "update"], ["apt-get", "install", "-y", "-q", *packages])
    with _no_service_autostart(), log.open("ab") as out:
        for command in commands:
            logger.debug("running %s", command)
            result = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, env=env)
            if result.returncode != 0:
                raise ServiceError(f"`{' '.join(command)}` failed; see {log}")


@contextlib.contextmanager
def _no_service_autostart() -> Iterator[None]:
    """Keep the distro's init from starting what apt installs: we run our own processes."""
    if POLICY_RC_D.exists():
        yield
        return
    POLICY_RC_D.write_text("#!/bin/sh\n# provgraph: do not start services on install\nexit 101\n")
    POLICY_RC_D.chmod(0o755)
    try:
        yield
    finally:
        POLICY_RC_D.unlink(missing_ok=True)
