"""The day-care service under the shared service contract."""

from contract_tests import ServiceContractTests

from lvliang_coverage.services.daycare.service import SERVICE


class TestDaycareContract(ServiceContractTests):
    service = SERVICE
