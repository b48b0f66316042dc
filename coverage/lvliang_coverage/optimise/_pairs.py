"""Shared input helpers: id indexes, per-id values and the sparse (demand, facility) pairs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, SupportsFloat, TypeAlias, cast

import numpy as np
import pandas as pd
from scipy import sparse

from lvliang_coverage.errors import InputError

PairsInput: TypeAlias = pd.DataFrame | sparse.sparray | sparse.spmatrix
"""Allowed pairs: a table with id columns (and a value column) or a sparse matrix."""


def id_index(ids: Any, name: str) -> pd.Index:
    """Validate a collection of ids (unique, no missing values) and return it as an index.

    Parameters
    ----------
    ids : array-like
        Identifiers.
    name : str
        What they are, for error messages (e.g. ``"demand_ids"``).

    Returns
    -------
    pandas.Index
        The ids in the order given.
    """
    index = pd.Index(list(ids) if not isinstance(ids, pd.Index) else ids)
    if index.hasnans:
        msg = f"{name} 含有空编号 / {name} contains missing ids"
        raise InputError(msg, column=name)
    if not index.is_unique:
        dup = index[index.duplicated()].unique()[:5].tolist()
        msg = f"{name} 含有重复编号 / {name} contains duplicate ids, e.g. {dup}"
        raise InputError(msg, column=name)
    return index


def aligned_values(
    values: Any,
    index: pd.Index,
    name: str,
    *,
    allow_inf: bool = False,
    default: float | None = None,
) -> np.ndarray:
    """Align per-id numbers (weights, sizes, capacities, costs) with ``index``.

    Parameters
    ----------
    values : scalar, Mapping, pandas.Series, array-like or None
        A scalar for every id; a Mapping or Series keyed by id (every id needed); or an
        array-like in the order of ``index``.
    index : pandas.Index
        The ids.
    name : str
        Parameter name, for error messages.
    allow_inf : bool, default False
        Accept ``inf`` (e.g. unlimited capacity).
    default : float, optional
        Value used when ``values`` is None.

    Returns
    -------
    numpy.ndarray
        Float array aligned with ``index``; finite (unless ``allow_inf``) and non-negative.
    """
    if values is None:
        if default is None:
            msg = f"缺少 {name} / {name} is required"
            raise InputError(msg, column=name)
        values = default
    if np.isscalar(values):
        # float() rejects complex scalars at run time, as it should.
        out = np.full(len(index), float(cast("SupportsFloat | str", values)))
    elif isinstance(values, pd.Series | Mapping):
        series = pd.Series(values) if isinstance(values, Mapping) else values
        missing = index.difference(series.index)
        if len(missing):
            msg = (
                f"{name} 缺少编号 {missing[:5].tolist()} 的值 / "
                f"{name} has no value for ids {missing[:5].tolist()}"
            )
            raise InputError(msg, column=name)
        if not series.index.is_unique:
            msg = f"{name} 含有重复编号 / {name} has duplicate ids"
            raise InputError(msg, column=name)
        out = pd.to_numeric(series.reindex(index), errors="coerce").to_numpy(dtype=float)
    else:
        out = pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce").to_numpy(
            dtype=float
        )
        if len(out) != len(index):
            msg = (
                f"{name} 有 {len(out)} 个值，但编号有 {len(index)} 个 / "
                f"{name} has {len(out)} values for {len(index)} ids"
            )
            raise InputError(msg, column=name)
    bad = np.isnan(out) | (out < 0) | (~np.isfinite(out) & (not allow_inf))
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        msg = (
            f"{name} 须为非负数，编号 {index[first]!r} 的值为 {out[first]!r} / "
            f"{name} must be non-negative numbers, got {out[first]!r} for id {index[first]!r}"
        )
        raise InputError(msg, row=first + 1, column=name)
    return out


@dataclass(frozen=True)
class Pairs:
    """Encoded (demand, candidate, value) pairs.

    Attributes
    ----------
    i : numpy.ndarray
        Demand positions (int64) in the demand index.
    j : numpy.ndarray
        Candidate positions (int64) in the candidate index.
    value : numpy.ndarray
        The pair value (cost, minutes, metres); ones when none was given.
    """

    i: np.ndarray
    j: np.ndarray
    value: np.ndarray

    def __len__(self) -> int:
        return len(self.i)

    def subset(self, mask: np.ndarray) -> Pairs:
        """Pairs where ``mask`` is true."""
        return Pairs(self.i[mask], self.j[mask], self.value[mask])


def encode_pairs(
    pairs: pd.DataFrame | sparse.sparray | sparse.spmatrix,
    demand_index: pd.Index,
    candidate_index: pd.Index,
    *,
    demand_col: str,
    candidate_col: str,
    value_col: str | None = None,
    aggregate: str = "min",
) -> Pairs:
    """Turn a pairs table or sparse matrix into integer positions and values.

    Parameters
    ----------
    pairs : pandas.DataFrame or scipy.sparse array/matrix
        A table with one row per allowed (demand, candidate) pair, or a sparse matrix of
        shape (n demands, n candidates) in the order of the indexes whose STORED entries
        (explicit zeros included) are the pairs and whose data are the values.
    demand_index, candidate_index : pandas.Index
        Valid ids.
    demand_col, candidate_col : str
        Id columns of a table.
    value_col : str, optional
        Value column of a table (cost, minutes...). Without it every value is 1.
    aggregate : {"min"}, default "min"
        Duplicate pairs keep their smallest value.

    Returns
    -------
    Pairs
        Deduplicated pairs, sorted by demand then candidate.
    """
    if sparse.issparse(pairs):
        coo = sparse.coo_array(pairs)
        if coo.shape != (len(demand_index), len(candidate_index)):
            msg = (
                f"配对矩阵的形状为 {coo.shape}，应为 ({len(demand_index)}, "
                f"{len(candidate_index)}) / pairs matrix has shape {coo.shape}, expected "
                f"({len(demand_index)}, {len(candidate_index)})"
            )
            raise InputError(msg)
        i = np.asarray(coo.row, dtype=np.int64)
        j = np.asarray(coo.col, dtype=np.int64)
        value = np.asarray(coo.data, dtype=float) if value_col is not None else np.ones(len(i))
    elif isinstance(pairs, pd.DataFrame):
        needed = [demand_col, candidate_col] + ([value_col] if value_col else [])
        for col in needed:
            if col not in pairs.columns:
                msg = f"配对表缺少列 '{col}' / pairs table has no column '{col}'"
                raise InputError(msg, column=col)
        i = demand_index.get_indexer(pd.Index(pairs[demand_col]))
        j = candidate_index.get_indexer(pd.Index(pairs[candidate_col]))
        for codes, col in ((i, demand_col), (j, candidate_col)):
            if (codes < 0).any():
                row = int(np.flatnonzero(codes < 0)[0])
                msg = (
                    f"配对表引用了未知编号 {pairs[col].iloc[row]!r} / "
                    f"pairs refer to unknown id {pairs[col].iloc[row]!r}"
                )
                raise InputError(msg, row=row + 1, column=col)
        if value_col is not None:
            value = pd.to_numeric(pairs[value_col], errors="coerce").to_numpy(dtype=float)
        else:
            value = np.ones(len(i))
        i = i.astype(np.int64)
        j = j.astype(np.int64)
    else:
        msg = (
            "配对须为 DataFrame 或 scipy.sparse 矩阵 / "
            f"pairs must be a DataFrame or a scipy.sparse matrix, got {type(pairs).__name__}"
        )
        raise InputError(msg)
    bad = ~np.isfinite(value) | (value < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        msg = (
            f"配对值须为有限的非负数，收到 {value[row]!r} / "
            f"pair values must be finite and non-negative, got {value[row]!r}"
        )
        raise InputError(msg, row=row + 1, column=value_col)
    if aggregate != "min":
        msg = f"未知的汇总方式 {aggregate!r} / unknown aggregate {aggregate!r}"
        raise InputError(msg)
    # Sort by (demand, candidate, value) and keep the first of each pair: the smallest value.
    order = np.lexsort((value, j, i))
    i, j, value = i[order], j[order], value[order]
    keep = np.ones(len(i), dtype=bool)
    keep[1:] = (i[1:] != i[:-1]) | (j[1:] != j[:-1])
    return Pairs(i[keep], j[keep], value[keep])


def incidence(
    rows: np.ndarray, cols: np.ndarray, data: np.ndarray, shape: tuple[int, int]
) -> sparse.csr_array:
    """Build a CSR array from coordinates (duplicates summed).

    Parameters
    ----------
    rows, cols : numpy.ndarray
        Row and column positions.
    data : numpy.ndarray
        Values.
    shape : tuple of int
        Array shape.

    Returns
    -------
    scipy.sparse.csr_array
        The sparse array.
    """
    return sparse.csr_array((data, (rows, cols)), shape=shape)


def ids_where(index: pd.Index, mask: np.ndarray) -> list[Any]:
    """Ids of ``index`` where the boolean ``mask`` is true, as a list."""
    return index[np.asarray(mask, dtype=bool)].tolist()


def reason_names(reason: np.ndarray, mapping: dict[str, str]) -> np.ndarray:
    """Rename reason codes (object array, None when served) with ``mapping``."""
    return np.array([mapping.get(r, r) for r in reason], dtype=object)


def aligned_labels(values: Any, index: pd.Index, name: str) -> np.ndarray:
    """Align per-id labels (e.g. county names) with ``index``.

    Parameters
    ----------
    values : Mapping, pandas.Series or array-like
        A label per id: keyed by id (every id needed), or in the order of ``index``.
    index : pandas.Index
        The ids.
    name : str
        Parameter name, for error messages.

    Returns
    -------
    numpy.ndarray
        Object array of labels aligned with ``index``.
    """
    if isinstance(values, pd.Series | dict):
        series = pd.Series(values)
        missing = index.difference(series.index)
        if len(missing):
            msg = (
                f"{name} 缺少编号 {missing[:5].tolist()} 的值 / "
                f"{name} has no value for ids {missing[:5].tolist()}"
            )
            raise InputError(msg, column=name)
        return series.reindex(index).to_numpy(dtype=object)
    out = np.asarray(list(values), dtype=object)
    if len(out) != len(index):
        msg = (
            f"{name} 有 {len(out)} 个值，但编号有 {len(index)} 个 / "
            f"{name} has {len(out)} values for {len(index)} ids"
        )
        raise InputError(msg, column=name)
    return out
