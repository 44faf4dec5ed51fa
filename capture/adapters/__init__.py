"""Observability adapters: provenance from tools the user already runs (``interceptors=``).

``Flowcept(interceptors=["dask"], dask_client=client)`` looks each name up in
:data:`capture.adapters.base.ADAPTERS`; ``instrumentation`` (the decorators, loops and
explicit tasks) is always on.
"""

from capture.adapters.base import ADAPTERS, Adapter

__all__ = ["ADAPTERS", "Adapter"]
