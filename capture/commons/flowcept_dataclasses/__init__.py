"""Flowcept's ``flowcept.commons.flowcept_dataclasses`` paths."""
