"""Our own ``redis-server`` on 127.0.0.1, state in ``<data_dir>/services/redis/``."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

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
)

MARKER = "redis-server"  # in the command line of the process our pid file names


def pid_file(settings: Settings) -> Path:
    return service_home(settings, "redis") / "redis.pid"


def log_file(settings: Settings) -> Path:
    return service_home(settings, "redis") / "redis.log"


def answers(settings: Settings) -> tuple[bool, str]:
    """(something answers PING, problem); an auth error still means something is there."""
    client = redis.Redis(
        host=HOST,
        port=settings.services.redis_port,
        password=settings.services.redis_password or None,
        socket_connect_timeout=1.0,
        socket_timeout=2.0,
        retry=Retry(NoBackoff(), 0),  # the default retries with backoff: seconds per probe
    )
    try:
        client.ping()
    except (redis.AuthenticationError, redis.ResponseError) as exc:
        return True, f"rejects the configured password: {exc}"
    except redis.RedisError:
        return False, ""
    finally:
        client.close()
    return True, ""


def status(settings: Settings) -> ServiceStatus:
    running, problem = answers(settings)
    pid = pid_of(pid_file(settings), MARKER)
    address = f"{HOST}:{settings.services.redis_port}"
    ours = running and pid is not None
    return ServiceStatus("redis", running, ours, address, pid, log_file(settings), problem)


def up(settings: Settings, echo: Echo) -> ServiceStatus:
    """Start our redis-server unless something answers on the port already."""
    current = status(settings)
    if current.running:
        echo(current.line("already"))
        if current.problem:
            raise ServiceError(f"redis on {current.address} {current.problem}; log {current.log}")
        return current
    _start(settings, ensure_installed(settings, echo))
    current = status(settings)
    echo(current.line("started,"))
    return current


def ensure_installed(settings: Settings, echo: Echo) -> str:
    """The path of ``redis-server`` (and ``redis-cli``), installed from apt if missing."""
    if shutil.which("redis-server") is None or shutil.which("redis-cli") is None:
        apt_install(["redis-server", "redis-tools"],
                    service_home(settings, "redis") / "install.log", echo)
        if Path("/run/systemd/system").is_dir():  # nor start the distro's unit on next boot
            subprocess.run(["systemctl", "disable", "redis-server.service"], capture_output=True)
    binary = shutil.which("redis-server")
    if binary is None:
        raise ServiceError("redis-server is still not on PATH after installing it")
    return binary


def _config(settings: Settings) -> Path:
    """Write our redis.conf (mode 0600: it may hold the password) and return its path."""
    home = service_home(settings, "redis")
    (home / "data").mkdir(parents=True, exist_ok=True)

    def quoted(value: Path | str) -> str:
        return '"' + str(value).replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = [
        f"bind {HOST}",
        f"port {settings.services.redis_port}",
        "protected-mode yes",
        "daemonize yes",
        f"pidfile {quoted(pid_file(settings))}",
        f"logfile {quoted(log_file(settings))}",
        f"dir {quoted(home / 'data')}",
        "appendonly yes",
    ]
    if settings.services.redis_password:
        lines.append(f"requirepass {quoted(settings.services.redis_password)}")
    conf = home / "redis.conf"
    conf.touch(mode=0o600)
    conf.chmod(0o600)
    conf.write_text("\n".join(lines) + "\n")
    return conf


def _start(settings: Settings, binary: str) -> None:
    conf, log = _config(settings), log_file(settings)
    with log.open("ab") as out:  # errors before it daemonizes go to stderr
        result = subprocess.run([binary, str(conf)], stdout=out, stderr=subprocess.STDOUT)
    if result.returncode != 0:
        raise ServiceError(f"redis-server failed to start (exit {result.returncode}); see {log}")
    deadline = time.monotonic() + settings.services.start_timeout_s
    while not status(settings).ours:
        if time.monotonic() > deadline:
            raise ServiceError(f"redis-server did not answer PING in time; see {log}")
        time.sleep(POLL_S / 5)
