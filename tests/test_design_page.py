"""The Design page's module tables against the package: every module it names exists, and
every top-level module and every study of the package is named (so the page cannot list a
module that was removed or miss one that was added)."""
from __future__ import annotations

import importlib
import re

from nascore.paths import REPO_ROOT

PAGE = REPO_ROOT / "book" / "design.md"
NAME = re.compile(r"`(nascore(?:\.[A-Za-z_][A-Za-z_0-9]*)+)`")


def named(text: str) -> set[str]:
    """Dotted names in backticks that start with ``nascore.``."""
    return set(NAME.findall(text))


def resolves(dotted: str) -> bool:
    """``dotted`` is a module, or an attribute of the longest importable prefix."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[cut:]:
            if not hasattr(obj, attribute):
                return False
            obj = getattr(obj, attribute)
        return True
    return False


def package_modules() -> set[str]:
    """``nascore.<x>`` for every top-level module or package, and every study."""
    root = REPO_ROOT / "nascore"
    top = {f"nascore.{p.stem}" for p in root.glob("*.py") if p.stem != "__init__"}
    top |= {f"nascore.{p.name}" for p in root.iterdir() if (p / "__init__.py").exists()}
    studies = {f"nascore.studies.{p.stem}" for p in (root / "studies").glob("*.py") if p.stem != "__init__"}
    studies |= {f"nascore.studies.{p.name}" for p in (root / "studies").iterdir() if (p / "__init__.py").exists()}
    return top | studies


def test_every_module_the_design_page_names_exists():
    missing = sorted(n for n in named(PAGE.read_text()) if not resolves(n))
    assert missing == [], f"book/design.md names what the package lacks: {missing}"


def test_every_top_level_module_and_study_is_on_the_design_page():
    absent = sorted(package_modules() - named(PAGE.read_text()))
    assert absent == [], f"book/design.md does not describe: {absent}"


def test_the_checks_see_a_stale_and_a_missing_name(tmp_path):
    assert not resolves("nascore.metrics_table") and not resolves("nascore.metrics.no_such_name")
    assert resolves("nascore.metrics.table") and resolves("nascore.bench.load")
    assert named("| `nascore.metrics_table` | x |, `nascore.stats`") == {"nascore.metrics_table", "nascore.stats"}
