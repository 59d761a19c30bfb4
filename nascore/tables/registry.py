"""The registry of shipped tables: one frozen :class:`Table` record per table.

A record says everything the project knows about one table of ``data/``: its folder and
files (per dataset, the first dataset being the default), the function that reads it
(what :func:`nascore.tables.load` and :func:`nascore.bench.load` return), the command
that produces it, the function that exports it and the job that computes it (a
:class:`nascore.tables.jobs.Job`, named by its dotted name), a one-line description and
its README.
Records are registered once (:func:`register`; a second record under one name is an
error) and looked up with :func:`get`; :func:`names` lists them in registration order.

The registry holds no table of its own: :mod:`nascore.tables.catalogue` registers them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from ..messages import short
from ..paths import DATA_DIR

#: How a command that produces a table starts: every table is produced by a ``nascore`` sub-command.
COMMAND_PREFIXES = ("nascore ",)


@dataclass(frozen=True)
class Table:
    """One shipped table.

    ``folder``: its folder under ``data/`` (the README and ``manifest.json`` live there);
    ``files``: dataset -> the files read for that dataset, as paths relative to ``data/``
    (a table may also read files of another folder, e.g. NB201's test accuracies); the
    first dataset is the default; ``loader``: ``dataset -> DataFrame`` with the dataset's
    canonical spelling; ``command``: the command line that produces the table (``None``
    for a table shipped as downloaded); ``export``: the dotted name of the function that
    writes it into ``data/`` (``None`` where the command writes it directly); ``job``: the
    dotted name of its :class:`~nascore.tables.jobs.Job` record (unit of work, content key,
    compute, fill, export; ``None`` for a table not yet described by one); the registry
    imports neither (a name imported by string would escape the content keys' import
    closure, :mod:`nascore.fingerprint`): the command that runs the job imports it;
    ``regenerated_by``: the chapters (notebook stems) that recompute it when run by
    ``nascore reproduce --regenerate``.
    """

    name: str
    folder: str
    files: dict
    loader: Callable[[str], pd.DataFrame] = field(repr=False)
    description: str
    command: str | None = None
    export: str | None = None
    regenerated_by: tuple = ()
    job: str | None = None

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise ValueError(f"a table's name must be a non-empty string, not {short(self.name)}")
        if not isinstance(self.files, dict) or not self.files:
            raise ValueError(f"table {self.name}: files must map each dataset to its files, not {short(self.files)}")
        for dataset, paths in self.files.items():
            if isinstance(paths, str) or not paths or not all(isinstance(p, str) and p for p in paths):
                raise ValueError(f"table {self.name}: the files of dataset {dataset!r} must be a non-empty "
                                 f"tuple of paths relative to data/, not {short(paths)}")
        if self.command is not None and not self.command.startswith(COMMAND_PREFIXES):
            raise ValueError(f"table {self.name}: command {self.command!r} must start with one of "
                             f"{', '.join(repr(p) for p in COMMAND_PREFIXES)}")
        for name in ("export", "job"):
            value = getattr(self, name)
            if value is not None and not (isinstance(value, str) and "." in value
                                          and all(p.isidentifier() for p in value.split("."))):
                raise ValueError(f"table {self.name}: {name} must be a dotted name (module.name), "
                                 f"not {short(value)}")
        if not isinstance(self.regenerated_by, tuple) or not all(isinstance(c, str) and c
                                                                 for c in self.regenerated_by):
            raise ValueError(f"table {self.name}: regenerated_by must be a tuple of notebook names, "
                             f"not {short(self.regenerated_by)}")

    @property
    def datasets(self) -> tuple:
        """The datasets of the table; the first is the default."""
        return tuple(self.files)

    @property
    def readme(self) -> Path:
        """The table's provenance README."""
        return DATA_DIR / self.folder / "README.md"

    def paths(self) -> list[Path]:
        """Every file the table is read from (for provenance hashes), each once, in order."""
        seen = dict.fromkeys(p for paths in self.files.values() for p in paths)
        return [DATA_DIR / p for p in seen]

    def dataset(self, dataset: str | None) -> str:
        """The canonical spelling of ``dataset`` (case-insensitive; ``None`` is the first
        dataset); ``ValueError`` naming the table's datasets otherwise."""
        if dataset is None:
            return self.datasets[0]
        canonical = {d.lower(): d for d in self.datasets}
        if not isinstance(dataset, str) or dataset.lower() not in canonical:
            raise ValueError(f"table {self.name} has no dataset {dataset!r}; its datasets: "
                             f"{', '.join(self.datasets)}")
        return canonical[dataset.lower()]

    def load(self, dataset: str | None = None) -> pd.DataFrame:
        """The table on ``dataset`` (checked by :meth:`dataset`)."""
        return self.loader(self.dataset(dataset))


#: name -> record, in registration order.
REGISTRY: dict[str, Table] = {}


def register(table: Table) -> Table:
    """Add ``table`` to :data:`REGISTRY`; a second table under one name is refused."""
    if not isinstance(table, Table):
        raise ValueError(f"only a Table record can be registered, not {short(table)}")
    if table.name in REGISTRY:
        raise ValueError(f"a table named {table.name!r} is already registered")
    REGISTRY[table.name] = table
    return table


def names() -> tuple:
    """The registered tables' names, in registration order."""
    return tuple(REGISTRY)


def get(name: str) -> Table:
    """The record of table ``name``; ``ValueError`` naming the known tables otherwise."""
    if not isinstance(name, str) or name not in REGISTRY:
        raise ValueError(f"unknown benchmark {name!r}; known benchmarks: {', '.join(REGISTRY)}")
    return REGISTRY[name]


def regenerated(chapter: str | None = None) -> tuple:
    """The tables that ``nascore reproduce --regenerate`` recomputes: those of ``chapter``
    (a notebook stem such as ``"60_das"``), or of any chapter when ``None``."""
    return tuple(name for name, table in REGISTRY.items()
                 if table.regenerated_by and (chapter is None or chapter in table.regenerated_by))
