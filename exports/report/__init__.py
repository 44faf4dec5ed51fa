"""Provenance cards (markdown), provenance reports (PDF) and campaign cards.

``Flowcept.generate_report`` reaches :func:`exports.report.service.generate_report`
through the ``reports`` provider; ``provgraph report`` calls it directly.
"""
