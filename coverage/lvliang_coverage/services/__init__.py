"""Services: one subpackage per service (clinics, water, relocation, ...) under one contract."""
