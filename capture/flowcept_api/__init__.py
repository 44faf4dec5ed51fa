"""Flowcept's ``flowcept.flowcept_api`` submodule paths (thin names for :mod:`capture`)."""
