"""OpenLineage run events in and out (docs/prov.md, "OpenLineage in and out").

``validate`` (the spec as ``openlineage-python`` holds it), ``reader`` (the client's file
transport output, one event per line), ``importer`` (events into a store through the
keeper's mapping and write), ``writer`` (a workflow's tasks as run events: the
``openlineage`` export format).
"""
