"""Optimisation layer: covering, assignment and facility-location models solved with HiGHS."""
