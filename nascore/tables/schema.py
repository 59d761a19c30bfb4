"""What a valid stored record holds: the :class:`Schema` of a results store and the checks
of a table's value fields (:func:`explained_values`, :func:`number_values`).

A store checks every record against its schema on every write and every read
(:class:`nascore.tables.store.ResultStore`); a problem is a short sentence naming the field
and what is wrong with it.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

from ..messages import short as _short


@dataclass(frozen=True)
class Schema:
    """What a valid record holds: ``required`` maps field -> type (or tuple of types);
    ``finite`` lists numeric fields that must be finite numbers in an ``ok`` record;
    ``check`` (optional) returns the problems of a table's value fields
    (:func:`explained_values`, :func:`number_values`).

    >>> Schema({"acc": float}, finite=("acc",)).problems({"acc": float("nan")})
    ["field 'acc' is not finite (nan)"]
    """

    required: dict = field(default_factory=dict)
    finite: tuple = ()
    check: Callable | None = None

    def problems(self, record: dict) -> list[str]:
        out = []
        for name, kind in self.required.items():
            if name not in record:
                out.append(f"missing field {name!r}")
            elif not _is_instance(record[name], kind):
                out.append(f"field {name!r} has type {type(record[name]).__name__}, expected "
                           f"{_type_name(kind)}")
        for name in self.finite:
            value = record.get(name)
            if not _is_number(value):
                out.append(f"field {name!r} is not a number ({value!r})")
            elif not math.isfinite(value):
                out.append(f"field {name!r} is not finite ({value!r})")
        if self.check is not None and not out:
            out.extend(self.check(record))
        return out


def explained_values(values, errors, names) -> list[str]:
    """Problems of value fields that must each be a finite number, or ``None`` with its
    reason in ``errors`` (the documented missing value: exported empty, its error kept).
    NaN, infinities, strings, a bare ``None`` or a missing field are problems.

    >>> explained_values({"a": 1.0, "b": None}, {"b": "singular kernel"}, ["a", "b"])
    []
    >>> explained_values({"a": "abc", "b": None}, {}, ["a", "b", "c"])
    ["value 'a' is not a number ('abc')", "value 'b' is missing without a reason", "value 'c' is missing"]
    """
    if not isinstance(values, dict) or not isinstance(errors, dict):
        return ["values and errors must be objects"]
    out = []
    for name in names:
        if name not in values:
            out.append(f"value {name!r} is missing")
        elif values[name] is None:
            if not (isinstance(errors.get(name), str) and errors[name]):
                out.append(f"value {name!r} is missing without a reason")
        elif not _is_number(values[name]):
            out.append(f"value {name!r} is not a number ({_short(values[name])})")
        elif not math.isfinite(values[name]):
            out.append(f"value {name!r} is not finite ({values[name]!r})")
    return out


def number_values(record, names, *, nan_allowed=()) -> list[str]:
    """Problems of value fields that must be finite numbers; those in ``nan_allowed`` may
    also be NaN, a value the table documents (e.g. the condition number of an exactly
    singular kernel). Infinities, strings, ``null`` and missing fields are problems."""
    out = []
    for name in names:
        value = record.get(name, _MISSING)
        if value is _MISSING:
            out.append(f"value {name!r} is missing")
        elif not _is_number(value):
            out.append(f"value {name!r} is not a number ({_short(value)})")
        elif math.isnan(value) and name in nan_allowed:
            continue
        elif not math.isfinite(value):
            out.append(f"value {name!r} is not finite ({value!r})")
    return out


_MISSING = object()


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _is_instance(value, kind):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if float in kinds and _is_number(value):
        return True  # JSON writes 1.0 as 1
    if isinstance(value, bool) and bool not in kinds:
        return False
    return isinstance(value, kinds)


def _type_name(kind):
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)
