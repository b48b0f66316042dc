"""The resettlement service keeps the service contract."""

from contract_tests import ServiceContractTests

from lvliang_coverage.services.relocation.service import SERVICE


class TestRelocationContract(ServiceContractTests):
    service = SERVICE
