"""The one zh/en vocabulary of every user-facing text: maps, ledgers and the terminal.

Shared terms (yes/no, separators, the city total, travel modes, layer and column labels) live
in ``vocabulary.toml`` beside this module; a service keeps its own terms (reason texts,
proposals, map legends) in a ``terms.toml`` of its package, loads them with
:meth:`Terms.from_package` and translates codes with :func:`codes_text`. The texts are data:
a county edits the wording in those files, not in the code.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping
from importlib import resources
from typing import TYPE_CHECKING

from lvliang_coverage import kinds
from lvliang_coverage.errors import InputError

if TYPE_CHECKING:  # numpy and pandas are imported by the functions using them (fast start)
    import numpy as np
    import pandas as pd

LANGS = ("zh", "en")
"""Languages of every text: ``zh`` (Chinese, the default) and ``en`` (English)."""


def __getattr__(name: str) -> object:
    """Re-export ``CITY_TOTAL`` of :mod:`lvliang_coverage.codes` (imported on first use)."""
    if name == "CITY_TOTAL":
        from lvliang_coverage.codes import CITY_TOTAL  # noqa: PLC0415 - numpy, not at start-up

        return CITY_TOTAL
    msg = f"module {__name__!r} has no attribute {name!r}"
    raise AttributeError(msg)


def check_lang(lang: str) -> str:
    """Validate a language code.

    Parameters
    ----------
    lang : str
        ``"zh"`` (Chinese, default everywhere) or ``"en"``.

    Returns
    -------
    str
        The language code.

    Raises
    ------
    InputError
        For any other value.
    """
    if lang not in LANGS:
        msg = (
            f"语言只能是 zh（中文）或 en（英文），收到 {lang!r} / "
            f"the language must be zh (Chinese) or en (English), got {lang!r}"
        )
        raise InputError(msg, column="--lang")
    return lang


def text(key: str, lang: str) -> str:
    """Label ``key`` in ``lang``; unknown keys are returned unchanged.

    Parameters
    ----------
    key : str
        Label key, e.g. ``"villages"`` or a facility kind such as ``"clinic"``.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The label (plain text, not yet HTML-escaped).
    """
    if key not in _TEXT:
        return kinds.get(key).label(lang)
    return _TEXT.get(key, lang)


def column_label(column: str, lang: str) -> str:
    """Popup label of a data column, e.g. ``population`` -> ``常住人口（人）``.

    Parameters
    ----------
    column : str
        Canonical column name.
    lang : str
        ``"zh"`` or ``"en"``.

    Returns
    -------
    str
        The label, or the column name itself when it has no translation.
    """
    return _COLUMNS.get(column, lang)


LIST_SEPARATOR = {"zh": "、", "en": ", "}
"""Separator of items in a list written for people, e.g. failing village names."""

TEXT_SEPARATOR = {"zh": "；", "en": "; "}
"""Separator of translated reason texts in a ledger cell."""


def mode_name(mode: str, lang: str) -> str:
    """Name of a travel mode, e.g. ``walk`` -> ``步行``; unknown modes are returned as given."""
    key = f"mode_{mode}"
    return _TEXT.get(key, lang) if key in _TEXT else mode


def city_label(lang: str) -> str:
    """Label of the city-total row (``全市`` / ``City``)."""
    return text("city_total", lang)


def yes_no(values: pd.Series | np.ndarray, lang: str) -> np.ndarray:
    """``是``/``否`` (or ``yes``/``no``) for a boolean array; missing values give ``—``."""
    import numpy as np  # noqa: PLC0415 - kept out of the start-up of the command line
    import pandas as pd  # noqa: PLC0415

    v = pd.Series(values).astype("boolean")
    out = np.where(v.fillna(False), text("yes", lang), text("no", lang)).astype(object)
    out[v.isna().to_numpy()] = text("missing", lang)
    return out


class Terms:
    """A service's own zh/en terms, e.g. its reason codes and proposals.

    Parameters
    ----------
    table : Mapping of str to (str, str)
        Key to ``(zh, en)`` text; texts may hold ``str.format`` fields.
    """

    def __init__(self, table: Mapping[str, tuple[str, str]]) -> None:
        self._table = dict(table)

    @classmethod
    def from_package(
        cls, package: str, name: str = "terms.toml", *, section: str = "terms"
    ) -> Terms:
        """Load a table of terms from a TOML file shipped in ``package``.

        The file holds one table per section, ``key = ["中文", "English"]``; it is read once
        and cached.

        Parameters
        ----------
        package : str
            Dotted package name, e.g. ``"lvliang_coverage.services.water"``.
        name : str
            File name inside the package.
        section : str
            The TOML table to load, e.g. ``"terms"`` or ``"reasons"``.

        Returns
        -------
        Terms
            The terms, in the order of the file.

        Raises
        ------
        InputError
            When the file, the section or a ``[zh, en]`` pair is missing or malformed.
        """
        return cls(_package_texts(package, name, section))

    def __or__(self, other: Terms) -> Terms:
        """Join two tables; the terms of ``other`` come after and win on the same key."""
        return Terms({**self._table, **other._table})

    def __contains__(self, key: object) -> bool:
        return key in self._table

    def keys(self) -> tuple[str, ...]:
        """List the keys in declaration order."""
        return tuple(self._table)

    def get(self, key: str, lang: str, **fields: object) -> str:
        """Text of ``key`` in ``lang`` with ``fields`` filled in; unknown keys are returned."""
        pair = self._table.get(key)
        if pair is None:
            return key
        out = pair[LANGS.index(check_lang(lang))]
        return out.format(**fields) if fields else out

    def in_lang(self, lang: str, **fields: object) -> dict[str, str]:
        """All terms in ``lang`` as a plain mapping (fields filled in)."""
        return {k: self.get(k, lang, **fields) for k in self._table}

    def by_lang(self) -> dict[str, list[str]]:
        """All texts per language, in order and unformatted, e.g. ledger headers."""
        return {lang: [pair[i] for pair in self._table.values()] for i, lang in enumerate(LANGS)}


@functools.cache
def _package_file(package: str, name: str) -> dict[str, object]:
    """Parse the TOML file ``name`` of ``package`` (once per process)."""
    where = f"{package.replace('.', '/')}/{name}"
    try:
        with resources.files(package).joinpath(name).open("rb") as f:
            return tomllib.load(f)
    except (FileNotFoundError, ModuleNotFoundError) as exc:
        msg = f"文本文件缺失 / text file missing: {where}"
        raise InputError(msg, file=where) from exc
    except tomllib.TOMLDecodeError as exc:
        msg = f"文本文件格式错误 / text file is not valid TOML: {exc}"
        raise InputError(msg, file=where) from exc


def _package_texts(package: str, name: str, section: str) -> dict[str, tuple[str, str]]:
    """Return one section of a package's text file as ``key -> (zh, en)``."""
    where = f"{package.replace('.', '/')}/{name}"
    table = _package_file(package, name).get(section)
    if not isinstance(table, dict):
        msg = f"文本文件缺少表 / text file has no table [{section}]"
        raise InputError(msg, file=where, column=section)
    out: dict[str, tuple[str, str]] = {}
    for key, pair in table.items():
        if not (
            isinstance(pair, list)
            and len(pair) == len(LANGS)
            and all(isinstance(t, str) for t in pair)
        ):
            msg = f"文本须为 [中文, English] / text must be [zh, en]: {section}.{key} = {pair!r}"
            raise InputError(msg, file=where, column=f"{section}.{key}")
        out[key] = (pair[0], pair[1])
    return out


_TEXT = Terms.from_package(__name__.rpartition(".")[0], "vocabulary.toml")
"""Shared terms: layers, base maps, road classes, controls, common words, travel modes."""

_COLUMNS = Terms.from_package(__name__.rpartition(".")[0], "vocabulary.toml", section="columns")
"""Popup labels of data columns."""

_TERMINAL = Terms.from_package(__name__.rpartition(".")[0], "vocabulary.toml", section="terminal")
"""The terminal's words: table headers, solver report, progress, the done line, errors."""

_HIGHWAY = Terms.from_package(__name__.rpartition(".")[0], "vocabulary.toml", section="highway")
"""Names of OSM highway classes (the road-graph table of the terminal)."""


def both(key: str, **fields: object) -> str:
    """Return a terminal text in both languages, ``"中文 / English"``, fields filled in.

    Parameters
    ----------
    key : str
        Key of the ``[terminal]`` section of ``vocabulary.toml``, e.g. ``"done"``.
    **fields
        Values of the text's format fields; a field may be given per language as a
        ``(zh, en)`` tuple, e.g. ``mode=("步行", "walking")``.

    Returns
    -------
    str
        E.g. ``both("wrote")`` -> ``"写入 / wrote"``; unknown keys are returned as given.
    """
    if key not in _TERMINAL:
        return key
    texts = []
    for i, lang in enumerate(LANGS):
        own = {k: v[i] if isinstance(v, tuple) else v for k, v in fields.items()}
        texts.append(_TERMINAL.get(key, lang, **own))
    return " / ".join(texts)


def highway_name(highway: str) -> str:
    """Name an OSM highway class in both languages: ``secondary`` -> ``县道 / secondary road``.

    Unknown classes are returned as given.
    """
    if highway not in _HIGHWAY:
        return highway
    return f"{_HIGHWAY.get(highway, 'zh')} / {_HIGHWAY.get(highway, 'en')}"


def codes_text(codes: pd.Series, terms: Terms, lang: str, **fields: object) -> pd.Series:
    """Translate ``;``-joined codes into readable text joined by ``；`` (``; `` in English).

    Parameters
    ----------
    codes : pandas.Series of str
        E.g. ``"off_network;too_slow"``; empty or missing gives an empty text.
    terms : Terms
        Texts of the codes.
    lang : str
        ``"zh"`` or ``"en"``.
    **fields
        Values for the texts' format fields (e.g. ``limit=90``).

    Returns
    -------
    pandas.Series of str
        Aligned with ``codes``.
    """
    import pandas as pd  # noqa: PLC0415 - kept out of the start-up of the command line

    from lvliang_coverage.codes import CODE_SEPARATOR  # noqa: PLC0415

    table = terms.in_lang(lang, **fields)
    sep = TEXT_SEPARATOR[lang]

    def one(value: object) -> str:
        if not isinstance(value, str) or not value:
            return ""
        return sep.join(table.get(c, c) for c in value.split(CODE_SEPARATOR))

    uniq = pd.unique(codes.astype(object))
    lookup = {u: one(u) for u in uniq}
    return codes.astype(object).map(lookup).astype(object)
