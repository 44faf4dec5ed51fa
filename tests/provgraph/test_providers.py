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


def test_a_capability_that_is_not_built_raises_one_clear_error() -> None:
    with pytest.raises(CapabilityMissingError,
                       match=r"Flowcept.generate_report needs the exports package.*not built yet"):
        providers.provider(providers.REPORTS, "Flowcept.generate_report")
    with pytest.raises(CapabilityMissingError, match="needs the 'teleport' capability"):
        providers.provider("teleport", "beam_me_up")


def test_generate_report_says_what_is_missing(settings: Settings) -> None:
    with pytest.raises(ProvgraphError, match="generate_report needs the exports package"):
        Flowcept.generate_report(report_type="provenance_card")


def test_the_exports_package_provides_export(settings: Settings) -> None:
    assert providers.available(providers.EXPORTS)
    with pytest.raises(ProvgraphError, match="no workflow 'nope' in the store"):
        Flowcept.db.export(format="provjson", workflow_id="nope")
