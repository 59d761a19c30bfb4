"""The book's glued values against the committed regression file ``tests/glued_quick.json``.

Every value a chapter glues (``myst_nb.glue``) in a quick run (``nascore reproduce
--quick``, seed 0) is recorded there, chapter by chapter, so a change to any published
number shows in review as a change to that file. ``tests/test_book_values.py`` checks a
fresh quick run against it. Not collected by pytest (the name does not start with
``test_``). From the repository root::

    python tests/book_values.py                  # compare the built book with the file
    python tests/book_values.py --build --write  # build the quick book, then rewrite the file
    python tests/book_values.py --write          # rewrite it from the book already built

``--write`` refuses a book that is not a quick, seed-0 run of every current notebook
from this checkout (see :func:`stale_reasons`). Adding or changing a chapter: run
``--build --write`` and commit the file with the change.

Comparison: integers, booleans and text exactly; floats within the ``tolerance`` stored
in the file (relative and absolute, as ``math.isclose``); a value that changes type,
disappears or appears is a difference.
"""
from __future__ import annotations

import argparse
import ast
import json
import math
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REGRESSION_FILE = REPO / "tests" / "glued_quick.json"
#: What a quick book is built from: a book built from other contents of these is stale.
BOOK_INPUTS = ("nascore", "notebooks", "data", "book", "pyproject.toml")
QUICK = {"quick": True, "seed": 0}
FLOAT_TOLERANCE = {"rel": 1e-6, "abs": 1e-9}
#: Why the default float tolerance is what it is: the values are computed in float64 from
#: shipped tables, and every search or selection picks through ``nascore.search.picks``
#: (ties within a relative 1e-9 go to a fixed order), so two CPUs agree to round-off
#: (~1e-15); 1e-6 leaves room for a library's summation order and nothing more.
DEFAULT_WHY = ("float64 from shipped tables; picks round-off-proof (nascore.search.picks): machines agree "
               "to ~1e-15")
#: Chapters that compute float32 networks live on the CPU (scores, kernels, a small
#: supernet), whose kernels (oneDNN / MKL) choose their summation order per CPU: their
#: floats are pinned to a relative 1e-4, the accumulated float32 round-off of a batch.
#: A discrete decision on such a value (a NASWOT activation code at zero) can still move
#: one; none has been seen to.
CHAPTER_TOLERANCE = {
    chapter: ({"rel": 1e-4, "abs": 1e-7}, "float32 networks computed live on the CPU; kernels sum in a "
                                          "CPU-dependent order")
    for chapter in ("20_metrics", "40_zhu", "60_das", "70_lga", "80_supernet")
}


def tolerance_for(chapter: str, default=FLOAT_TOLERANCE) -> dict:
    """The float tolerance of ``chapter``'s values (:data:`CHAPTER_TOLERANCE`, else ``default``)."""
    return CHAPTER_TOLERANCE.get(chapter, (default, DEFAULT_WHY))[0]
#: Glued measurements of time on the machine that builds the book: present, a number, not pinned.
MEASURED_TIME = ("_ms", "_minutes", "_seconds", "_step_ratio")
REGENERATE = "python tests/book_values.py --build --write"


def parse(text: str | None):
    """A glued value from its ``text/plain`` form: int, float, bool or (otherwise) text.

    NumPy scalars (``np.float64(0.5)``) count as their Python value; ``nan`` and ``inf``
    stay text (JSON has no such floats) and compare exactly.
    """
    if text is None:
        return None
    inner = re.fullmatch(r"np\.\w+\((.*)\)", text.strip(), flags=re.S)
    try:
        value = ast.literal_eval(inner.group(1) if inner else text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
    return value if isinstance(value, (bool, int, float, str)) else text


def chapter_values(book_dir: Path, name: str) -> dict:
    """``{glue name: parsed value}`` of the executed chapter ``book_dir/chapters/<name>.ipynb``."""
    import nbformat

    nb = nbformat.read(book_dir / "chapters" / f"{name}.ipynb", as_version=4)
    values = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            meta = output.get("metadata", {}).get("scrapbook", {})
            if "name" in meta:
                values[meta["name"]] = parse(output["data"].get(meta["mime_prefix"] + "text/plain"))
    return values


def collect(book_dir: Path, names) -> dict:
    """``{notebook: {glue name: value}}`` for the notebooks ``names``."""
    return {name: chapter_values(book_dir, name) for name in names}


def same(expected, actual, tolerance=FLOAT_TOLERANCE) -> bool:
    if type(expected) is not type(actual):
        return False
    if isinstance(expected, float):
        return math.isclose(expected, actual, rel_tol=tolerance["rel"], abs_tol=tolerance["abs"])
    return expected == actual


def compare(expected: dict, actual: dict, tolerance=FLOAT_TOLERANCE) -> list[str]:
    """Every difference between two ``{notebook: {name: value}}``, one line each."""
    problems = []
    for chapter in sorted(set(expected) | set(actual)):
        if chapter not in actual:
            problems.append(f"{chapter}: chapter in the regression file but not in the book")
            continue
        if chapter not in expected:
            problems.append(f"{chapter}: new chapter ({len(actual[chapter])} glued values) not in the regression file")
            continue
        want, got = expected[chapter], actual[chapter]
        for name in sorted(set(want) | set(got)):
            if name not in got:
                problems.append(f"{chapter}/{name}: no longer glued (was {want[name]!r})")
            elif name not in want:
                problems.append(f"{chapter}/{name}: new value {got[name]!r}")
            elif name.endswith(MEASURED_TIME) and isinstance(got[name], float):
                continue
            elif not same(want[name], got[name], tolerance_for(chapter, tolerance)):
                problems.append(f"{chapter}/{name}: {want[name]!r} -> {got[name]!r}")
    return problems


def load_expected(path: Path = REGRESSION_FILE) -> tuple[dict, dict]:
    """``(values, float tolerance)`` of the regression file."""
    content = json.loads(path.read_text())
    return content["chapters"], content["tolerance"]["float"]


def write_expected(values: dict, path: Path = REGRESSION_FILE) -> None:
    content = {"about": "Every value the book's chapters glue in a quick run (nascore reproduce --quick, "
                        f"seed 0). Regenerate with `{REGENERATE}` and commit it with the change "
                        "(CONTRIBUTING.md, 'Published numbers').",
               "tolerance": {"float": FLOAT_TOLERANCE, "float_why": DEFAULT_WHY,
                             "float_by_chapter": {c: {**t, "why": why} for c, (t, why) in CHAPTER_TOLERANCE.items()},
                             "int": "exact", "bool": "exact", "text": "exact"},
               "chapters": values}
    path.write_text(json.dumps(content, indent=1, sort_keys=False, ensure_ascii=False) + "\n")


def _git(*args) -> str | None:
    done = subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else None


def _subtree(tree: str, path: str) -> str | None:
    return _git("rev-parse", "--verify", "--quiet", f"{tree}:{path}")


def stale_reasons(book_dir: Path, names) -> list[str]:
    """Why the book in ``book_dir`` is not a quick, seed-0 run of the notebooks ``names``
    made from this checkout (empty when it is).

    Each notebook's provenance record must be ``ok``, with the quick parameters, made at
    the commit ``HEAD`` is now and from the same contents of :data:`BOOK_INPUTS` (compared
    through the recorded worktree id, so uncommitted edits to the code count and edits
    elsewhere, e.g. to tests, do not).
    """
    from nascore import provenance

    path = book_dir / "generated" / "provenance.json"
    if not path.exists():
        return [f"no {path.relative_to(book_dir.parent)}: the book was never built here"]
    notebooks = json.loads(path.read_text()).get("notebooks", {})
    head = _git("rev-parse", "HEAD")
    tree = provenance.worktree_id()
    current = {p: _subtree(tree, p) for p in BOOK_INPUTS} if tree else {}
    reasons = []
    for name in names:
        run = notebooks.get(name)
        if run is None:
            reasons.append(f"{name}: never run")
            continue
        commit = str(run.get("git_commit", "")).removesuffix("-dirty")
        if run.get("status") != "ok":
            reasons.append(f"{name}: status {run.get('status')!r}")
        if run.get("parameters") != QUICK:
            reasons.append(f"{name}: parameters {run.get('parameters')}, not {QUICK}")
        if not head or commit != head:
            reasons.append(f"{name}: built at commit {commit[:12] or 'unknown'}, HEAD is {(head or 'unknown')[:12]}")
        elif not run.get("git_tree") or not current:
            reasons.append(f"{name}: no worktree id recorded, cannot tell what it was built from")
        else:
            changed = [p for p in BOOK_INPUTS if _subtree(run["git_tree"], p) != current[p]]
            if changed:
                reasons.append(f"{name}: built from other contents of {', '.join(changed)}")
    return reasons


def build_quick_book() -> None:
    done = subprocess.run([sys.executable, "-m", "nascore.cli", "reproduce", "--quick"], cwd=REPO,
                          capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"nascore reproduce failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build", action="store_true", help="run `nascore reproduce --quick` first")
    parser.add_argument("--write", action="store_true", help=f"rewrite {REGRESSION_FILE.relative_to(REPO)}")
    args = parser.parse_args(argv)
    from nascore import reproduce
    from nascore.paths import BOOK_DIR

    names = reproduce.notebook_names()
    if args.build:
        build_quick_book()
    reasons = stale_reasons(BOOK_DIR, names)
    if reasons:
        print("the built book is not a quick run of this checkout (run with --build):", *reasons, sep="\n  ")
        return 2
    actual = collect(BOOK_DIR, names)
    count = sum(len(v) for v in actual.values())
    if args.write:
        write_expected(actual)
        print(f"wrote {count} values of {len(actual)} chapters to {REGRESSION_FILE.relative_to(REPO)}")
        return 0
    expected, tolerance = load_expected()
    problems = compare(expected, actual, tolerance)
    print("\n".join(problems) or f"all {count} glued values match {REGRESSION_FILE.relative_to(REPO)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
