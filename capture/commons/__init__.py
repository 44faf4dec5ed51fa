"""Flowcept's ``flowcept.commons`` submodule paths (thin names for :mod:`capture`)."""
