"""Village clinics and township doctors (articles 7 and 8)."""
