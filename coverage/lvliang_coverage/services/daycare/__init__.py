"""Elderly day-care centres (日间照料中心, article 25): check and plan on idle buildings."""
