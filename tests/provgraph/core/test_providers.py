"""Capabilities found at run time: the keeper's persistence, and clear errors for the rest."""

from __future__ import annotations

import pytest

from capture import Flowcept
from keeper.provider import PERSISTENCE
from provgraph.core import providers
from provgraph.core.config import Settings
from provgraph.core.errors import CapabilityMissingError, ProvgraphError


def test_the_keeper_provides_persistence() -> None:
    assert providers.available(providers.PERSISTENCE)
    assert providers.provider(providers.PERSISTENCE, "test") is PERSISTENCE


def test_the_exports_package_provides_reports() -> None:
    from exports.report.service import REPORTS

    assert providers.available(providers.REPORTS)
    assert providers.provider(providers.REPORTS, "test") is REPORTS


def test_a_capability_that_is_not_there_raises_one_clear_error() -> None:
    with pytest.raises(CapabilityMissingError, match="needs the 'teleport' capability"):
        providers.provider("teleport", "beam_me_up")


def test_the_exports_package_provides_export(settings: Settings) -> None:
    assert providers.available(providers.EXPORTS)
    with pytest.raises(ProvgraphError, match="no workflow 'nope' in the store"):
        Flowcept.db.export(format="provjson", workflow_id="nope")
