"""The resettlement service's own zh/en terms, shared by its ledger and its map."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lvliang_coverage.codes import CODE_SEPARATOR
from lvliang_coverage.report.vocabulary import LIST_SEPARATOR, Terms

SERVICE_NAMES = Terms(
    {
        "clinic": ("村卫生室", "village clinic"),
        "health_centre": ("乡镇卫生院", "township health centre"),
        "school": ("学校", "school"),
        "workshop": ("扶贫车间/农业基地/加工车间", "poverty workshop / agri base"),
        "industrial_park": ("产业园区", "industrial park"),
    }
)
"""Names of the article-16 services (codes of
:data:`lvliang_coverage.services.relocation.evaluation.SERVICES`)."""

REASON_TEXT = Terms(
    {
        "no_pair": ("路网上无可达安置点", "no site reachable by road"),
        "beyond_commute": (
            "所有安置点回原村时间超过{limit:.0f}分钟",
            "every site is more than {limit:.0f} min from the old village",
        ),
        "other_county": (
            "时限内的安置点均在外县",
            "the sites within the limit are all in other counties",
        ),
        "too_large": (
            "户数超过所有可选安置点剩余容量",
            "more households than any allowed site has room for",
        ),
        "capacity": (
            "可选安置点容量已被其他村占用",
            "room at the allowed sites is taken by other villages",
        ),
    }
)
"""Why a relocating village has no site (codes of
:data:`lvliang_coverage.services.relocation.analysis.UNASSIGNED_REASONS`); field ``limit``
is the commute limit in minutes."""

PROPOSAL_TEXT = Terms(
    {
        "no_pair": ("核实村庄位置并补录道路数据", "verify the location and map the missing road"),
        "beyond_commute": (
            "就近新建或扩建安置点，或改善道路",
            "build or extend a site nearer, or improve the road",
        ),
        "other_county": (
            "协调跨县安置或在本县新建安置点",
            "agree a cross-county move or build a site in the county",
        ),
        "too_large": ("扩建安置点或分批安置", "extend a site or move in stages"),
        "capacity": ("扩建安置点容量", "extend site capacity"),
    }
)
"""What to do about a relocating village without a site, per reason code."""

MEASURE_TEXT = Terms(
    {
        "clinic": ("配建村卫生室", "build a village clinic"),
        "health_centre": (
            "改善至乡镇卫生院交通或设卫生服务站",
            "improve access to the health centre or add a health post",
        ),
        "school": ("配建学校或开通校车", "build a school or run a school bus"),
        "workshop": (
            "配套建立扶贫车间、设施农业基地或农产品加工车间",
            "set up a poverty workshop, agri base or processing workshop",
        ),
        "industrial_park": (
            "有条件的在附近配备产业园区",
            "an industrial park nearby where conditions allow",
        ),
    }
)
"""Measure per missing service code (article 16)."""

TEXT = Terms(
    {
        # ledger
        "measures_ok": ("公共服务设施已达标", "services meet the standard"),
        "measure_movers": (
            "搬迁入住{months}个月内衔接基本养老保险、基本医疗保险和最低生活保障",
            "link pension, medical insurance and minimum living allowance within "
            "{months} months of moving in",
        ),
        "measure_community": (
            "建立党组织和综合性社区管理机构",
            "set up a Party branch and a community management office",
        ),
        "none": ("无", "none"),
        "unreachable": ("不可达", "unreachable"),
        "sheet_assignment": ("安置方案", "Assignment"),
        "sheet_unassigned": ("未安置村", "Unassigned"),
        # map
        "title": (
            "易地扶贫搬迁安置点公共服务与搬迁安置方案（第15-17条）",
            "Resettlement sites: services and the movers' assignment (art. 15-17)",
        ),
        "sites": ("安置点（按服务得分着色）", "Resettlement sites (by service score)"),
        "score": ("满足{k}/{n}项服务", "{k}/{n} services met"),
        "links": ("搬迁村→安置点", "Relocating village -> site"),
        "movers": ("整村搬迁村", "Relocating villages"),
        "assigned": ("已安置", "assigned"),
        "unassigned": ("未安置", "not assigned"),
        "site": ("安置点", "Site"),
        "county": ("县", "County"),
        "township": ("乡镇", "Township"),
        "capacity": ("安置容量(户)", "Capacity (households)"),
        "occupied": ("已入住(户)", "Occupied (households)"),
        "remaining": ("剩余容量(户)", "Remaining (households)"),
        "moving_in": ("拟迁入户数", "Households moving in"),
        "score_col": ("服务得分", "Service score"),
        "passes": ("是否达标", "Passes"),
        "missing": ("缺少的服务", "Services missing"),
        "minutes": ("{s}(分钟)", "{s} (min)"),
        "village": ("搬迁村", "Village"),
        "households": ("户数", "Households"),
        "residents": ("常住人口", "Residents"),
        "commute": ("回原村时间(分钟)", "Back to the old village (min)"),
        "reason": ("未安置原因", "Reason not assigned"),
    }
)
"""Labels of the resettlement ledger and map (``minutes`` takes field ``s``, a service name;
``score`` takes ``k`` services met of ``n``; ``measure_movers`` takes ``months``)."""


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
