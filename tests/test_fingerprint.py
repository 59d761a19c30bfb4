"""Content-addressed keys: editing any file a result depends on misses the cache."""
import ast
import shutil

import pytest

from nascore import fingerprint
from nascore.fingerprint import PACKAGE_DIR, code_digest, import_closure, result_key


def _names(paths, root=PACKAGE_DIR):
    return {p.relative_to(root).as_posix() for p in paths}


def test_closure_follows_imports_into_modules_that_are_easy_to_forget():
    names = _names(import_closure("nascore.metrics"))
    # metric modules register themselves through metrics/__init__.py; the NTK metrics use
    # the factored route (the file a hand-kept list once missed)
    assert {"metrics/__init__.py", "metrics/zero_cost.py", "metrics/ntk_metrics.py"} <= names
    assert any(n.startswith("ntk") and "factored" in n for n in names)
    assert "__init__.py" in names  # the package's own __init__ runs on every import
    assert not any(n.startswith(("cli", "reproduce")) for n in names)


def test_a_function_level_import_is_followed():
    assert "cifar.py" in _names(import_closure("nascore.data"))  # data.load imports it lazily


@pytest.fixture()
def package_copy(tmp_path):
    root = tmp_path / "nascore"
    shutil.copytree(PACKAGE_DIR, root, ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _edit(path):
    path.write_text(path.read_text() + "\n# edited\n")


def test_editing_any_file_of_the_closure_changes_the_digest(package_copy):
    before = code_digest("nascore.metrics", root=package_copy)
    for rel in sorted(_names(import_closure("nascore.metrics", root=package_copy), package_copy)):
        path = package_copy / rel
        original = path.read_text()
        _edit(path)
        assert code_digest("nascore.metrics", root=package_copy) != before, rel
        path.write_text(original)
    assert code_digest("nascore.metrics", root=package_copy) == before


def test_editing_a_file_outside_the_closure_keeps_the_digest(package_copy):
    before = code_digest("nascore.stats", root=package_copy)
    _edit(package_copy / "reproduce" / "run.py")
    assert code_digest("nascore.stats", root=package_copy) == before


def test_attribute_access_through_the_lazy_package_loader_is_followed(package_copy):
    (package_copy / "demo.py").write_text("import nascore\n\ndef f():\n    return nascore.stats.spearman\n")
    assert "stats.py" in _names(import_closure("nascore.demo", root=package_copy), package_copy)


def test_no_module_imports_by_string_which_would_escape_the_closure():
    for path in PACKAGE_DIR.rglob("*.py"):
        if path == PACKAGE_DIR / "__init__.py":
            continue  # its lazy loader is covered by the attribute rule above
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
                    "import_module", "__import__"):
                assert all(isinstance(a, ast.Constant) for a in node.args), f"{path}: dynamic import"


def test_result_key_covers_params_data_and_libraries(tmp_path, monkeypatch):
    data = tmp_path / "table.csv"
    data.write_text("a,b\n1,2\n")
    base = result_key("demo", code=["nascore.stats"], params={"n": 1}, data_files=[data])
    assert base == result_key("demo", code=["nascore.stats"], params={"n": 1}, data_files=[data])
    assert base != result_key("demo", code=["nascore.stats"], params={"n": 2}, data_files=[data])
    assert base != result_key("other", code=["nascore.stats"], params={"n": 1}, data_files=[data])
    data.write_text("a,b\n1,3\n")
    assert base != result_key("demo", code=["nascore.stats"], params={"n": 1}, data_files=[data])
    monkeypatch.setattr(fingerprint, "library_versions", lambda names=(): {"torch": "9.9"})
    assert base != result_key("demo", code=["nascore.stats"], params={"n": 1}, data_files=[data])


def test_bad_arguments_are_named(tmp_path):
    with pytest.raises(ValueError, match="unknown module 'nascore.nope'"):
        code_digest("nascore.nope")
    with pytest.raises(ValueError, match="data file .*missing.csv' does not exist"):
        result_key("demo", code=["nascore.stats"], params={}, data_files=[tmp_path / "missing.csv"])
    with pytest.raises(TypeError, match="cannot put a object into a result key"):
        result_key("demo", code=["nascore.stats"], params={"x": object()})
