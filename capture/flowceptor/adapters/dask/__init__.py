"""Flowcept's ``flowcept.flowceptor.adapters.dask`` paths (needs ``provgraph[dask]``)."""
