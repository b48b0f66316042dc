"""The clinic service keeps the service contract."""

from contract_tests import ServiceContractTests

from lvliang_coverage.services.clinics.service import SERVICE


class TestClinicContract(ServiceContractTests):
    service = SERVICE
