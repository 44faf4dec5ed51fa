"""Capabilities found at run time: the keeper's persistence, and clear errors for the rest."""

from __future__ import annotations

import pytest

from capture import Flowcept
from keeper.provider import PERSISTENCE
from provgraph import providers
from provgraph.config import Settings
from provgraph.errors import CapabilityMissingError, ProvgraphError


def test_the_keeper_provides_persistence() -> None:
    assert providers.available(providers.PERSISTENCE)
    assert providers.provider(providers.PERSISTENCE, "test") is PERSISTENCE


def test_the_exports_package_provides_reports() -> None:
    from exports.report.service import REPORTS

    assert providers.available(providers.REPORTS)
    assert providers.provider(providers.REPORTS, "test") is REPORTS


def test_a_capability_that_is_not_built_raises_one_clear_error() -> None:
    with pytest.raises(CapabilityMissingError,
                       match=r"Flowcept.db.export needs the exports package.*not built yet"):
        providers.provider(providers.EXPORTS, "Flowcept.db.export")
    with pytest.raises(CapabilityMissingError, match="needs the 'teleport' capability"):
        providers.provider("teleport", "beam_me_up")


def test_export_says_what_is_missing(settings: Settings) -> None:
    with pytest.raises(ProvgraphError, match=r"Flowcept\.db\.export needs the exports package"):
        Flowcept.db.export(format="provjson")
