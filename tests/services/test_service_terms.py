"""The services' own texts come from the ``terms.toml`` files of their packages."""

from __future__ import annotations

from lvliang_coverage.services.clinics.ledger import FIX, REASON_TEXT, SUMMARY_HEADERS
from lvliang_coverage.services.daycare.status import REASON_TEXT as DAYCARE_REASONS
from lvliang_coverage.services.relocation.terms import SERVICE_NAMES
from lvliang_coverage.services.water.terms import kind_term


def test_service_texts_come_from_their_files():
    assert REASON_TEXT.keys() == ("unreachable", "off_network", "too_far", "too_slow")
    assert REASON_TEXT.get("off_network", "zh") == "不在路网上（离路过远）"
    assert DAYCARE_REASONS.get("too_far", "en", radius=2.0) == "no centre within 2 km"
    assert FIX.get("new", "en", site="S", min=12.4) == (
        "Shared clinic: served by the new central clinic 'S' (12 min)"
    )
    assert SUMMARY_HEADERS.by_lang()["zh"][2] == "200人以下村"
    assert SERVICE_NAMES.get("industrial_park", "zh") == "产业园区"
    assert kind_term("spring", "zh") == "泉"
    assert kind_term("unknown_kind", "zh") == "unknown_kind"
