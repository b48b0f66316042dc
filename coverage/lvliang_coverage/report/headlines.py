"""Headline figures: the small bilingual tables a task prints in the terminal."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Headline:
    """One table of headline figures for the terminal.

    Attributes
    ----------
    title : str
        Bilingual title, e.g. ``"第7条 村卫生室覆盖 / article 7 clinic coverage (walk)"``.
    items : Mapping of str to object
        Bilingual label to value (a two-column table).
    rows : sequence of Mapping, optional
        Instead of ``items``, a table of several columns: one mapping (bilingual header to
        value) per row, e.g. one row per county.
    """

    title: str
    items: Mapping[str, object] = field(default_factory=dict)
    rows: Sequence[Mapping[str, object]] = ()
