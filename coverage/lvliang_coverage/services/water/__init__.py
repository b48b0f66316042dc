"""Rural drinking-water projects (articles 12-14)."""
