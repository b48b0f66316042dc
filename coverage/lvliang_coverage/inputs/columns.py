"""Registry columns a service may add to a layer: the hook services use to read their data.

Example (the day-care service reads residents aged 60 and over)::

    from lvliang_coverage.inputs.columns import Column, register_column

    register_column("villages", Column("elderly", "int", ("elderly", "60岁以上人口")))
"""

from __future__ import annotations

from lvliang_coverage.inputs._columns import EXTRA_COLUMNS, Column, register_column

__all__ = ["EXTRA_COLUMNS", "Column", "register_column"]
