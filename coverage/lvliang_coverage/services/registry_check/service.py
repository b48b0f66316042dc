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
        from lvliang_coverage.services.registry_check.analysis import run_check
        from lvliang_coverage.services.registry_check.ledger import summary_line

        villages = getattr(study, "villages", None)
        if villages is None or "admin_code" not in villages.columns:
            return None
        result = run_check(study, study.rules)
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
