"""System telemetry snapshots (psutil; GPU through nvidia-ml-py when a GPU is present)."""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

import psutil

from capture.config import TelemetrySettings

log = logging.getLogger(__name__)


class GpuProbe:
    """NVML access, initialised once; absent (``None`` snapshots) without library or GPU."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready: bool | None = None
        self._nvml: Any = None
        self._handles: list[Any] = []

    def _init(self) -> bool:
        try:
            import pynvml  # nvidia-ml-py

            pynvml.nvmlInit()
            count = pynvml.nvmlDeviceGetCount()
            self._handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(count)]
            self._nvml = pynvml
            return count > 0
        except Exception as exc:  # no library, no driver, no device
            log.debug("no GPU telemetry: %s", exc)
            return False

    def snapshot(self) -> list[dict[str, Any]] | None:
        with self._lock:
            if self._ready is None:
                self._ready = self._init()
            if not self._ready:
                return None
        nvml = self._nvml
        gpus: list[dict[str, Any]] = []
        for index, handle in enumerate(self._handles):
            try:
                mem = nvml.nvmlDeviceGetMemoryInfo(handle)
                util = nvml.nvmlDeviceGetUtilizationRates(handle)
                gpu: dict[str, Any] = {
                    "index": index,
                    "name": _text(nvml.nvmlDeviceGetName(handle)),
                    "uuid": _text(nvml.nvmlDeviceGetUUID(handle)),
                    "used_mem": int(mem.used),
                    "total_mem": int(mem.total),
                    "gpu_utilization": int(util.gpu),
                    "mem_utilization": int(util.memory),
                }
                gpu.update(_optional_gpu_fields(nvml, handle))
                gpus.append(gpu)
            except Exception as exc:
                log.debug("GPU %s telemetry failed: %s", index, exc)
        return gpus


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _optional_gpu_fields(nvml: Any, handle: Any) -> dict[str, Any]:
    readers = {
        "temperature": lambda: nvml.nvmlDeviceGetTemperature(handle, nvml.NVML_TEMPERATURE_GPU),
        "power_watts": lambda: nvml.nvmlDeviceGetPowerUsage(handle) / 1000.0,
        "sm_clock_mhz": lambda: nvml.nvmlDeviceGetClockInfo(handle, nvml.NVML_CLOCK_SM),
    }
    out: dict[str, Any] = {}
    for name, read in readers.items():
        try:
            out[name] = read()
        except Exception:  # not supported on this device
            continue
    return out


_gpu = GpuProbe()


def _cpu() -> dict[str, Any]:
    times = psutil.cpu_times()
    return {
        "percent_all": psutil.cpu_percent(interval=None),
        "percent_per_cpu": psutil.cpu_percent(interval=None, percpu=True),
        "times_avg": {"user": times.user, "system": times.system, "idle": times.idle},
        "count": psutil.cpu_count(),
    }


def _mem() -> dict[str, Any]:
    virtual, swap = psutil.virtual_memory(), psutil.swap_memory()
    return {
        "virtual": {"total": virtual.total, "used": virtual.used, "percent": virtual.percent,
                    "available": virtual.available},
        "swap": {"total": swap.total, "used": swap.used, "percent": swap.percent},
    }


def _disk() -> dict[str, Any]:
    out: dict[str, Any] = {}
    usage = psutil.disk_usage(os.getcwd())
    out["disk_usage"] = {"total": usage.total, "used": usage.used, "percent": usage.percent}
    io = psutil.disk_io_counters()
    if io is not None:
        out["io_sum"] = {"read_bytes": io.read_bytes, "write_bytes": io.write_bytes,
                         "read_count": io.read_count, "write_count": io.write_count}
    return out


def _network() -> dict[str, Any]:
    io = psutil.net_io_counters()
    return {"netio_sum": {"bytes_sent": io.bytes_sent, "bytes_recv": io.bytes_recv,
                          "packets_sent": io.packets_sent, "packets_recv": io.packets_recv}}


def _process() -> dict[str, Any]:
    proc = psutil.Process()
    with proc.oneshot():
        mem = proc.memory_info()
        cpu = proc.cpu_times()
        return {
            "pid": proc.pid,
            "cpu_times": {"user": cpu.user, "system": cpu.system},
            "memory": {"rss": mem.rss, "vms": mem.vms},
            "num_threads": proc.num_threads(),
            "num_open_files": _safe(lambda: len(proc.open_files()), None),
        }


def _safe(read: Any, default: Any) -> Any:
    try:
        return read()
    except Exception:
        return default


_SECTIONS = (("cpu", _cpu), ("memory", _mem), ("disk", _disk), ("network", _network),
             ("process", _process))
_SETTING_OF = {"cpu": "cpu", "memory": "mem", "disk": "disk", "network": "network",
               "process": "process"}


def capture_telemetry(settings: TelemetrySettings) -> dict[str, Any]:
    """One snapshot of the enabled sections; a section that fails is left out."""
    snapshot: dict[str, Any] = {}
    for name, read in _SECTIONS:
        if not getattr(settings, _SETTING_OF[name]):
            continue
        try:
            snapshot[name] = read()
        except Exception as exc:
            log.debug("telemetry section %s failed: %s", name, exc)
    if settings.gpu:
        gpus = _gpu.snapshot()
        if gpus:
            snapshot["gpu"] = gpus
    return snapshot
