"""The registry check (article 1): its declaration under the service contract."""

from __future__ import annotations

from typing import TYPE_CHECKING

from lvliang_coverage.report.headlines import Headline
from lvliang_coverage.services.contract import Service, ServiceResult, Task

if TYPE_CHECKING:
    from lvliang_coverage.study import Study


class RegistryCheckService(Service):
    """行政村登记核查: a village registry's division codes and names against the official list.

    Article 1 asks for a verified base count, "确保不漏一户、不落一人", every unit under one
    code (交口县's "一码清"): the check lists the official village committees missing from the
    registry, codes that do not exist or that two administrative villages share, and rows
    whose county, township or name differ from their code.
    """

    name = "registry"
    title_zh = "行政村登记核查"
    title_en = "Village registry check"
    articles = (1,)
    kinds = ()
    rules_section = "registry"
    tasks = (
        Task(
            "check",
            "核查村庄登记表的统计用区划代码：缺漏村委会、代码不存在或重复、县乡及名称与代码不符（第1条）",
            "Check a village registry's division codes: committees missing, unknown or "
            "duplicated codes, county, township or name differing from the code (article 1).",
            ledger="ledger:registry_ledger",
        ),
    )

    def preflight(self, study: Study) -> str | None:
        """Summarise the study's registry against the official codes in one line (zh / en).

        None when the villages carry no division code (nothing to check).
        """
        from lvliang_coverage.inputs.divisions import load_divisions
        from lvliang_coverage.services.registry_check.analysis import run_check
        from lvliang_coverage.services.registry_check.ledger import summary_line

        villages = getattr(study, "villages", None)
        if villages is None or "admin_code" not in villages.columns:
            return None
        official = load_divisions()
        codes = villages["admin_code"].dropna().astype(str)
        codes = codes[codes.str.len() == 12]
        counties = set(official.counties["code"].astype(str).str[:6])
        if len(codes) and codes.str[:6].isin(counties).mean() < 0.5:  # another city's registry
            return (
                "区划代码核查：登记的区划代码大多不在随附的吕梁市区划表内，已跳过"
                "（可用 registry check --divisions 文件 核查） / "
                "registry check skipped: most division codes are not in the bundled Lüliang "
                "list (check them with registry check --divisions FILE)"
            )
        result = run_check(study, study.rules, divisions=official)
        return summary_line(result) if result.has_codes else None

    def headlines(self, result: ServiceResult) -> list[Headline]:
        """Figures of the check and one row per county (committees official, listed, missing)."""
        from lvliang_coverage.services.registry_check.analysis import RegistryCheckResult
        from lvliang_coverage.services.registry_check.ledger import headlines

        if not isinstance(result, RegistryCheckResult):
            msg = f"not a registry check result: {type(result).__name__}"
            raise TypeError(msg)
        return headlines(result)


SERVICE = RegistryCheckService()
"""The registered registry check."""
