"""Content-addressed keys: a cached or stored result is filed under a hash of everything
that computes it — the code, the parameters, the data files and the library versions.

**Which code.** :func:`code_digest` hashes the *static import closure* of the modules
that compute a result, inside the ``nascore`` package: the entry modules, every
``nascore`` module they import (at top level or inside a function, absolute or
relative), transitively, and every package ``__init__`` on the way (Python runs those
on import). The closure is read with :mod:`ast`, not by importing, so it is known
before anything runs. Why a closure rather than the whole package: editing a chapter's
study module or the CLI must not throw away hours of trained ground truth that never
ran that code, yet every file that *can* run when the result is computed is covered —
including the metric modules that register themselves through
``nascore/metrics/__init__.py`` and lazy imports inside functions (``data.load`` ->
``cifar``). Imports by string (``importlib.import_module(name)``) would escape the
closure; the package has none but the lazy sub-module loader of ``nascore/__init__.py``,
whose ``nascore.<name>`` attribute accesses are counted as imports
(``tests/test_fingerprint.py`` checks both).

No hand-bumped revision number is involved anywhere: changing any file in the closure
changes the digest, and so misses the cache.

**Cost.** Reading and hashing the closure takes a few milliseconds (measured in
``benchmarks/fingerprint.py``); results are memoised per process on the files'
(mtime, size), so a second key costs a ``stat`` per file.
"""
from __future__ import annotations

import ast
import functools
import hashlib
import json
from pathlib import Path

PACKAGE = "nascore"
PACKAGE_DIR = Path(__file__).resolve().parent
#: Libraries whose version can change a number we compute.
NUMERIC_LIBRARIES = ("torch", "numpy", "scipy")

_parsed: dict[Path, tuple[tuple[int, int], str, frozenset]] = {}
_data_memo: dict[Path, tuple[tuple[int, int], str]] = {}


def module_path(name: str, root: Path = PACKAGE_DIR) -> Path | None:
    """The source file of module ``name`` (``"nascore.ntk"``), or ``None`` if not in the package."""
    parts = name.split(".")
    if parts[0] != PACKAGE:
        return None
    base = root.joinpath(*parts[1:])
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.is_file():
            return candidate
    return None


def _module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = [PACKAGE, *rel.parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path) -> tuple[str, frozenset]:
    """(sha256 of the file, the ``nascore`` modules it imports anywhere in its body)."""
    stat = path.stat()
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _parsed.get(path)
    if cached and cached[0] == stamp:
        return cached[1], cached[2]
    source = path.read_bytes()
    digest = hashlib.sha256(source).hexdigest()
    here = _module_name(path, root)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(source, filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")
                base_parts = base_parts[:len(base_parts) - (node.level - 1)]
                base = ".".join(base_parts + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            found.add(base)
            # ``from . import x`` / ``from .pkg import name``: name may be a submodule
            found.update(f"{base}.{alias.name}" for alias in node.names if alias.name != "*")
        elif (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
              and node.value.id == PACKAGE):
            # ``import nascore; nascore.metrics.score(...)``: the package's __init__ loads
            # ``nascore.metrics`` lazily on attribute access, so count it as an import
            found.add(f"{PACKAGE}.{node.attr}")
    modules = frozenset(m for m in found if m.split(".")[0] == PACKAGE)
    _parsed[path] = (stamp, digest, modules)
    return digest, modules


def import_closure(*modules: str, root: Path = PACKAGE_DIR) -> list[Path]:
    """Source files of ``modules`` and of every package module they import, transitively,
    with the ``__init__.py`` of every enclosing package; sorted."""
    if not modules:
        raise ValueError("import_closure needs at least one module name, e.g. 'nascore.metrics'")
    todo, seen = [], set()
    for name in modules:
        path = module_path(name, root)
        if path is None:
            raise ValueError(f"unknown module {name!r}: not a module of the {PACKAGE} package")
        todo.append(path)
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        name = _module_name(path, root)
        parents = [".".join(name.split(".")[:i]) for i in range(1, name.count(".") + 1)]
        _, imported = _imports(path, root)
        for dep in [*parents, *imported]:
            dep_path = module_path(dep, root)
            if dep_path is not None and dep_path not in seen:
                todo.append(dep_path)
    return sorted(seen)


def code_digest(*modules: str, root: Path = PACKAGE_DIR) -> str:
    """SHA-256 over (relative path, content hash) of :func:`import_closure` of ``modules``."""
    digest = hashlib.sha256()
    for path in import_closure(*modules, root=root):
        file_hash, _ = _imports(path, root)
        digest.update(f"{path.relative_to(root).as_posix()}\0{file_hash}\n".encode())
    return digest.hexdigest()


@functools.lru_cache(maxsize=None)
def library_versions(names=NUMERIC_LIBRARIES) -> dict:
    """Installed versions of the libraries that can change our numbers (read once per
    process: an install under a running process would not change its loaded code)."""
    from importlib import metadata

    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return versions


def _plain(value):
    if isinstance(value, (tuple, set, frozenset)):
        return sorted(value, key=repr) if isinstance(value, (set, frozenset)) else list(value)
    if isinstance(value, Path):
        return value.as_posix()
    if hasattr(value, "to_dict"):
        return value.to_dict()
    if hasattr(value, "item"):  # numpy / torch scalars
        return value.item()
    raise TypeError(f"cannot put a {type(value).__name__} into a result key; use plain values")


def data_digests(files) -> dict:
    """``{file name relative to the data folder (or as given): sha256}`` of ``files``."""
    from .paths import DATA_DIR, sha256

    out = {}
    for f in files:
        path = Path(f).resolve()
        if not path.is_file():
            raise ValueError(f"data file {str(f)!r} does not exist; a result key needs the files it reads")
        try:
            shown = path.relative_to(DATA_DIR.resolve()).as_posix()
        except ValueError:
            shown = path.as_posix()
        stat = path.stat()
        stamp = (stat.st_mtime_ns, stat.st_size)
        if _data_memo.get(path, (None,))[0] != stamp:
            _data_memo[path] = (stamp, sha256(path))
        out[shown] = _data_memo[path][1]
    return out


def result_key(kind: str, *, code: tuple[str, ...] | list[str], params: dict,
               data_files=(), libraries=NUMERIC_LIBRARIES) -> str:
    """Hex SHA-256 of a result's identity: ``kind``, :func:`code_digest` of the ``code``
    modules, ``params`` (JSON, sorted keys), the data files' SHA-256 and the library versions.

    >>> a = result_key("demo", code=["nascore.stats"], params={"n": 1, "seed": 0})
    >>> a == result_key("demo", code=["nascore.stats"], params={"seed": 0, "n": 1})
    True
    >>> a == result_key("demo", code=["nascore.stats"], params={"n": 2, "seed": 0})
    False
    """
    if not isinstance(kind, str) or not kind:
        raise ValueError(f"result kind must be a non-empty string, got {kind!r}")
    if not isinstance(params, dict):
        raise ValueError(f"params must be a dict, got {type(params).__name__}")
    identity = {"kind": kind, "code": code_digest(*code), "params": params,
                "data": data_digests(data_files), "libraries": library_versions(tuple(libraries))}
    text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(text.encode()).hexdigest()

