"""Relocation resettlement sites (articles 15-17)."""
