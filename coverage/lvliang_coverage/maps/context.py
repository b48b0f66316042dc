"""The context every result map starts from: boundaries with names, roads and rivers of a study."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lvliang_coverage.maps import _style as sty
from lvliang_coverage.maps.coverage_map import CoverageMap

if TYPE_CHECKING:
    from lvliang_coverage.study import Study


def context_map(study: Study, title: str, lang: str, basemap: str) -> CoverageMap:
    """Start a map of a study: county and township boundaries with names, roads and rivers.

    County names are written on the map at city and county scale; township outlines and
    names appear from :data:`~lvliang_coverage.maps._style.SHARE_MAX_ZOOM` on, where the
    service maps' township layer coloured by share (``add_shares``) gives way to villages.

    Parameters
    ----------
    study : Study
        The study (its counties, townships, rivers and road edges, when present).
    title, lang, basemap : str
        Map title, label language (``"zh"`` or ``"en"``) and base map, as for
        :class:`lvliang_coverage.maps.coverage_map.CoverageMap`.

    Returns
    -------
    CoverageMap
        The map, opening on the counties (or the villages when there are none).
    """
    area = study.counties if study.counties is not None else study.villages
    m = CoverageMap(area, title=title, lang=lang, basemap=basemap, synthetic=study.synthetic)
    if study.counties is not None:
        m.add_boundaries(study.counties, kind="county", labels=True)
    if study.townships is not None:
        m.add_boundaries(study.townships, kind="township", labels=True, min_zoom=sty.SHARE_MAX_ZOOM)
    m.add_roads(study.edges)
    if study.rivers is not None:
        m.add_rivers(study.rivers)
    return m
