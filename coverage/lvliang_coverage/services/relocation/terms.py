"""The resettlement service's own zh/en terms (``terms.toml``), shared by its ledger and its map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.codes import CODE_SEPARATOR
from lvliang_coverage.report.vocabulary import LIST_SEPARATOR, Terms

_PACKAGE = "lvliang_coverage.services.relocation"

SERVICE_NAMES = Terms.from_package(_PACKAGE, section="service_names")
"""Names of the article-16 services (codes of
:data:`lvliang_coverage.services.relocation.evaluation.SERVICES`)."""

REASON_TEXT = Terms.from_package(_PACKAGE, section="reasons")
"""Why a relocating village has no site (codes of
:data:`lvliang_coverage.services.relocation.analysis.UNASSIGNED_REASONS`); field ``limit``
is the commute limit in minutes."""

PROPOSAL_TEXT = Terms.from_package(_PACKAGE, section="proposals")
"""What to do about a relocating village without a site, per reason code; fields ``site``
(name), ``county``, ``minutes``, ``limit`` (minutes), ``spare`` and ``households``
(households), see :func:`~lvliang_coverage.services.relocation.status.proposals`."""

MEASURE_TEXT = Terms.from_package(_PACKAGE, section="measures")
"""Measure per missing service code (article 16)."""

TEXT = Terms.from_package(_PACKAGE)
"""Labels of the resettlement ledger and map (``minutes`` takes field ``s``, a service name;
``score`` takes ``k`` services met of ``n``; ``measure_movers`` takes ``months``;
``measure_within`` takes ``measure`` and ``limit`` (minutes); ``before_moving_in`` takes
``households``)."""


def service_list(codes: pd.Series, lang: str) -> np.ndarray:
    """Names of ``;``-joined service codes as a list for people (``无`` / ``none`` if empty).

    Parameters
    ----------
    codes : pandas.Series of str
        E.g. ``"school;workshop"`` (the ``missing`` column of the site evaluation).
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    numpy.ndarray of str (object)
        E.g. ``"学校、扶贫车间/农业基地/加工车间"``, aligned with ``codes``.
    """
    names = SERVICE_NAMES.in_lang(lang)
    sep, empty = LIST_SEPARATOR[lang], TEXT.get("none", lang)

    def one(value: object) -> str:
        items = [names.get(c, c) for c in str(value).split(CODE_SEPARATOR) if c]
        return sep.join(items) or empty

    values = codes.fillna("").astype(object)
    lookup = {u: one(u) for u in pd.unique(values)}
    return values.map(lookup).to_numpy(dtype=object)
