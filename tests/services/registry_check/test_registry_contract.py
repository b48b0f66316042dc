"""The registry check keeps the service contract (it reads villages only, no facility kind)."""

import re

from contract_tests import ServiceContractTests

from lvliang_coverage.config import load_rules
from lvliang_coverage.services import registry
from lvliang_coverage.services.registry_check.service import SERVICE


class TestRegistryContract(ServiceContractTests):
    service = SERVICE

    def test_is_registered_under_its_name(self) -> None:
        # the package is services/registry_check (services/registry.py is the registry itself)
        assert "registry_check" in registry.BUILTIN
        assert registry.get("registry") is SERVICE
        assert registry.services()[0] is SERVICE  # article 1 first: it checks the registry

    def test_declares_titles_articles_kinds_and_rules(self) -> None:
        assert SERVICE.name == "registry"
        assert re.search(r"[\u4e00-\u9fff]", SERVICE.title_zh)
        assert SERVICE.title_en.isascii()
        assert SERVICE.articles == (1,)
        assert SERVICE.kinds == ()  # it reads the village registry only
        raw = load_rules().raw
        assert raw[SERVICE.rules_section] == {"report_missing_urban": False}
