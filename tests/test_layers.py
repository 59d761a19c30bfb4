"""The package's layers, checked from its source with ``ast`` (nothing is imported).

Rules (``book/design.md``): library below, studies above, face on top.

1. No import circle between the package's modules (imports inside functions count too:
   a lazy import only hides a circle).
2. A library module (anything but ``nascore.studies``, ``nascore.cli``, ``nascore.reproduce``)
   never imports a study, the CLI or ``reproduce``.
3. A notebook imports no private name (``_x``) of the package, imports no study but its
   own chapter's (``notebooks/60_das.ipynb`` -> ``nascore.studies.das``), and reaches into
   no private attribute of a module it imported.
4. Every command line is under ``nascore.cli``: no other module imports ``argparse``
   (at top level or inside a function).
5. No study imports another study: shared analyses live in the library
   (``nascore.analysis``), and a table's job and export too (``nascore.tables``). The
   exceptions are :data:`STUDY_IMPORTS_ALLOWED`: the parts of one chapter's study.

A notebook may also import its own chapter's parts (``nascore.studies.<chapter>_<part>``).

The last test plants one violation of each kind in a throw-away package and checks that
the checker reports it.
"""
from __future__ import annotations

import ast
import json
from pathlib import Path

from nascore.paths import NOTEBOOKS_DIR, REPO_ROOT

FACE = ("studies", "cli", "reproduce")  # top-level names above the library

#: study -> the other studies it may import (short names under ``nascore.studies``).
STUDY_IMPORTS_ALLOWED = {
    "supernet": {"supernet_verdicts"},                       # parts of the supernet chapter's study
    "zhu_tables": {"zhu"},                                   # a part of the Zhu chapter's study
    "hnas_runs": {"hnas"},                                   # a part of the HNAS chapter's study
    "das_terms": {"das", "das_claims"},                      # parts of the DAS chapter's study
    "das_training": {"das", "das_claims"},
    "lga_curves": {"lga"},                                   # parts of the LGA chapter's study
    "lga_claims": {"lga"},
    "supernet_tables": {"supernet", "supernet_curve"},       # parts of the supernet chapter's study
    "supernet_curve": {"supernet_verdicts"},
    "supernet_claims": {"supernet", "supernet_verdicts"},
}


# ----------------------------------------------------------------------------- the checker
def modules(package_dir: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every ``.py`` file of the package."""
    package_dir = Path(package_dir)
    root = package_dir.name
    found = {}
    for path in sorted(package_dir.rglob("*.py")):
        parts = (root,) + path.relative_to(package_dir).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _is_package(name: str, known: dict[str, Path]) -> bool:
    return known[name].name == "__init__.py"


def imports_of(name: str, known: dict[str, Path]) -> set[str]:
    """Package modules that module ``name`` imports anywhere in its body."""
    root = name.split(".")[0]
    tree = ast.parse(known[name].read_text())
    here = name if _is_package(name, known) else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[:len(base) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            # ``from pkg import sub`` imports the submodule when there is one
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in known else source
                       for alias in node.names]
        else:
            continue
        for target in targets:
            if target.split(".")[0] != root:
                continue
            while target and target not in known:  # ``import a.b.c`` of a non-module attribute
                target = target.rpartition(".")[0]
            if target and target != name:
                found.add(target)
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan's algorithm)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def is_library(name: str) -> bool:
    parts = name.split(".")
    return len(parts) == 1 or parts[1] not in FACE


def study_of(name: str) -> str | None:
    """``hnas`` for ``nascore.studies.hnas`` (and anything below it); None outside the studies."""
    parts = name.split(".")
    return parts[2] if len(parts) >= 3 and parts[1] == "studies" else None


def package_violations(package_dir: Path, allowed: dict | None = None) -> list[str]:
    allowed = STUDY_IMPORTS_ALLOWED if allowed is None else allowed
    known = modules(package_dir)
    graph = {name: imports_of(name, known) for name in known}
    problems = [f"import circle: {' <-> '.join(c)}" for c in circles(graph)]
    for name, targets in sorted(graph.items()):
        if is_library(name):
            problems += [f"library module {name} imports {t}" for t in sorted(targets) if not is_library(t)]
        study = study_of(name)
        if study:
            ok = allowed.get(study, set()) | {study}
            problems += [f"study {name} imports the study {t}" for t in sorted(targets)
                         if study_of(t) and study_of(t) not in ok]
    return problems


def argparse_violations(package_dir: Path) -> list[str]:
    """Modules outside the package's ``cli`` that import ``argparse`` anywhere in their body."""
    problems = []
    for name, path in sorted(modules(package_dir).items()):
        if name.split(".")[1:2] == ["cli"]:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            imported = ([a.name for a in node.names] if isinstance(node, ast.Import)
                        else [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else [])
            if any(n.split(".")[0] == "argparse" for n in imported):
                problems.append(f"{name} imports argparse: its command line belongs under {name.split('.')[0]}.cli")
                break
    return problems


def notebook_violations(notebook: Path, root: str = "nascore") -> list[str]:
    """Private names imported or reached into, and studies of other chapters imported."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    source = "\n".join("".join(c["source"]) if isinstance(c["source"], list) else c["source"]
                       for c in cells if c["cell_type"] == "code")
    source = "\n".join(line for line in source.splitlines() if not line.lstrip().startswith(("%", "!")))
    chapter = Path(notebook).stem.split("_", 1)[-1]
    problems, aliases = [], set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == root:
            module = node.module.split(".")
            names = [a.name for a in node.names]
            dotted = [".".join(module + [n]) for n in names]
            aliases.update(a.asname or a.name for a in node.names)
        elif isinstance(node, ast.Import):
            dotted = [a.name for a in node.names if a.name.split(".")[0] == root]
            aliases.update((a.asname or a.name).split(".")[0] for a in node.names if a.name.split(".")[0] == root)
        else:
            continue
        for full in dotted:
            parts = full.split(".")
            if any(p.startswith("_") and p != "__version__" for p in parts):
                problems.append(f"{Path(notebook).name} imports the private name {full}")
            if (len(parts) >= 3 and parts[1] == "studies" and parts[2] != chapter
                    and not parts[2].startswith(chapter + "_")):
                problems.append(f"{Path(notebook).name} imports {full}, not its own study nascore.studies.{chapter}")
    for node in ast.walk(ast.parse(source)):
        if (isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__")
                and isinstance(node.value, ast.Name) and node.value.id in aliases):
            problems.append(f"{Path(notebook).name} reaches into {node.value.id}.{node.attr}")
    return problems


# ----------------------------------------------------------------------------- the rules, on this package
def test_no_import_circle_and_the_library_never_imports_the_layers_above():
    assert package_violations(REPO_ROOT / "nascore") == []


def test_every_command_line_is_under_cli():
    assert argparse_violations(REPO_ROOT / "nascore") == []


def test_notebooks_use_their_own_study_and_public_names_only():
    problems = [p for nb in sorted(NOTEBOOKS_DIR.glob("*.ipynb")) for p in notebook_violations(nb)]
    assert problems == []


def test_the_folder_tree_shows_the_layers():
    known = modules(REPO_ROOT / "nascore")
    assert "nascore.studies" in known and "nascore.cli" in known and "nascore.reproduce" in known
    chapters = {nb.stem.split("_", 1)[-1] for nb in NOTEBOOKS_DIR.glob("*.ipynb")} - {"overview", "claims"}
    assert {f"nascore.studies.{c}" for c in chapters} <= set(known)


# ----------------------------------------------------------------------------- the checker catches each kind
def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _notebook(*sources: str) -> str:
    return json.dumps({"cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []}
                                 for s in sources], "metadata": {}, "nbformat": 4, "nbformat_minor": 5})


def test_the_checker_reports_planted_violations(tmp_path):
    pkg = tmp_path / "nascore"
    _write(pkg, {
        "__init__.py": "",
        "a.py": "from . import b\n",
        "b.py": "def f():\n    from .a import g  # a lazy import still closes the circle\n",
        "stats.py": "from .studies import das\n",
        "fine.py": "import nascore.a\n",
        "studies/__init__.py": "",
        "studies/das.py": "from .. import fine\nfrom . import lga\n",
        "studies/lga.py": "",
        "studies/cifar_ntk.py": "",  # a table's producer left among the studies: no exception any more
        "studies/hnas.py": "from .cifar_ntk import x\nfrom . import lga  # not allowed\n",
        "cli/__init__.py": "from ..studies import das\n",
        "cli/args.py": "import argparse\n",
        "studies/run.py": "def main():\n    import argparse\n",
        "bench/job.py": "from argparse import ArgumentParser\n",
    })
    problems = package_violations(pkg)
    assert problems == ["import circle: nascore.a <-> nascore.b",
                        "library module nascore.stats imports nascore.studies.das",
                        "study nascore.studies.das imports the study nascore.studies.lga",
                        "study nascore.studies.hnas imports the study nascore.studies.cifar_ntk",
                        "study nascore.studies.hnas imports the study nascore.studies.lga"]
    assert package_violations(pkg, {"das": {"lga"}, "hnas": {"cifar_ntk", "lga"}}) == [
        "import circle: nascore.a <-> nascore.b", "library module nascore.stats imports nascore.studies.das"]
    assert argparse_violations(pkg) == [
        "nascore.bench.job imports argparse: its command line belongs under nascore.cli",
        "nascore.studies.run imports argparse: its command line belongs under nascore.cli",
    ]

    nb = tmp_path / "60_das.ipynb"
    nb.write_text(_notebook("%matplotlib inline\nfrom nascore.studies import das\nfrom nascore import stats",
                            "from nascore.ntk.conventions import _hidden\nfrom nascore.studies import lga",
                            "from nascore.studies import cifar_ntk, das_parts\nimport nascore.analysis.x",
                            "import nascore.metrics._private as p\nstats._helper(1)\nx = das.fill()"))
    assert notebook_violations(nb) == [
        "60_das.ipynb imports the private name nascore.ntk.conventions._hidden",
        "60_das.ipynb imports nascore.studies.lga, not its own study nascore.studies.das",
        "60_das.ipynb imports nascore.studies.cifar_ntk, not its own study nascore.studies.das",
        "60_das.ipynb imports the private name nascore.metrics._private",
        "60_das.ipynb reaches into stats._helper",
    ]
