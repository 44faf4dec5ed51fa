"""Flowcept's ``flowcept.flowceptor.adapters`` paths."""
