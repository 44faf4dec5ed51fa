"""Flowcept's ``flowcept.instrumentation`` submodule paths, as thin names for the real
modules of :mod:`capture` (code written against Flowcept's docs imports from here)."""
