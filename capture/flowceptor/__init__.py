"""Flowcept's ``flowcept.flowceptor`` submodule paths (thin names for :mod:`capture`)."""
