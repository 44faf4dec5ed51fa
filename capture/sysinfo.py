"""Where a workflow runs: machine and system facts and the git state of the working dir.

Collected once per process (cached) because a workflow start must stay cheap.
"""

from __future__ import annotations

import functools
import getpass
import logging
import os
import platform
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _login_user() -> str | None:
    for read in (getpass.getuser, os.getlogin):
        try:
            return read()
        except Exception:
            continue
    return None


def _private_ip() -> str | None:
    """The first non-loopback IPv4 address of a network interface (no traffic is sent)."""
    import psutil

    try:
        interfaces = psutil.net_if_addrs()
    except Exception:
        return None
    for addresses in interfaces.values():
        for address in addresses:
            if address.family == socket.AF_INET and not address.address.startswith("127."):
                return str(address.address)
    return None


@functools.lru_cache(maxsize=1)
def system_info() -> dict[str, Any]:
    """Facts about this machine and process (the flat fields of a workflow message)."""
    uname = os.uname()
    return {
        "sys_name": uname.sysname,
        "node_name": uname.nodename,
        # the same name the tasks carry (socket.getfqdn() answers "localhost" on hosts
        # whose /etc/hosts maps their own name to the loopback address)
        "hostname": hostname(),
        "login_name": _login_user(),
        "private_ip": _private_ip(),
        "public_ip": os.environ.get("PROVGRAPH_PUBLIC_IP") or None,
    }


@functools.lru_cache(maxsize=1)
def hostname() -> str:
    return platform.node()


@functools.lru_cache(maxsize=1)
def machine_info() -> dict[str, Any]:
    import psutil

    uname = os.uname()
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "machine": uname.machine,
        "release": uname.release,
        "python_version": sys.version.split()[0],
        "python_executable": sys.executable,
        "cpu_count": os.cpu_count(),
        "memory_total": psutil.virtual_memory().total,
        "pid": os.getpid(),
        "cwd": os.getcwd(),
    }
    return info


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


@functools.lru_cache(maxsize=8)
def code_repository(cwd: str | None = None) -> dict[str, Any] | None:
    """Commit, branch, remote and dirty flag of the git repository around ``cwd``."""
    where = Path(cwd or os.getcwd())
    root = _git(["rev-parse", "--show-toplevel"], where)
    if not root:
        return None
    status = _git(["status", "--porcelain", "--untracked-files=no"], where)
    remote = _git(["config", "--get", "remote.origin.url"], where)
    return {
        "root": root,
        "commit": _git(["rev-parse", "HEAD"], where),
        "branch": _git(["rev-parse", "--abbrev-ref", "HEAD"], where),
        "remote": _strip_credentials(remote) if remote else None,
        "dirty": bool(status),
    }


def _strip_credentials(url: str) -> str:
    if "://" in url and "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://{rest.split('@', 1)[1]}"
    return url


def _reset_after_fork() -> None:
    machine_info.cache_clear()  # the pid changes


os.register_at_fork(after_in_child=_reset_after_fork)
