"""The water service's own zh/en terms: ledger proposals and texts, map legend and layers."""

from __future__ import annotations

from lvliang_coverage.report.vocabulary import Terms

TERMS = Terms.from_package("lvliang_coverage.services.water")
"""Terms of the water ledger and map (the package's ``terms.toml``); shared words (yes/no,
全市, 汇总, separators) come from :mod:`lvliang_coverage.report.vocabulary`. The proposals per
unserved reason (:data:`~lvliang_coverage.services.water.plan.UNSERVED_REASONS`) take ``km``,
the served text ``kind``, ``source``, ``how`` and ``km``."""


def kind_term(kind: str, lang: str) -> str:
    """Name a source kind inside a sentence (``spring`` -> ``泉``); unknown kinds as given."""
    key = f"kind_{kind}"
    return TERMS.get(key, lang) if key in TERMS else kind


HEADLINES = Terms.from_package("lvliang_coverage.services.water", section="headlines")
"""Labels of the terminal's figures (``[headlines]``), keyed by the plan summary's keys."""


def both(key: str) -> str:
    """Label a headline figure in both languages: ``"规划供水村 / villages supplied"``."""
    return f"{HEADLINES.get(key, 'zh')} / {HEADLINES.get(key, 'en')}"
