"""`nascore reproduce` on throw-away notebooks: failures are named, partial output kept."""
import json

import nbformat
import pytest

from nascore import reproduce


def write_notebook(path, *sources):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    params = nbformat.v4.new_code_cell("quick = True\nseed = 0")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbformat.v4.new_code_cell(s) for s in sources]
    nbformat.write(nb, path)


@pytest.fixture
def folders(tmp_path):
    notebooks, book = tmp_path / "notebooks", tmp_path / "book"
    notebooks.mkdir()
    return notebooks, book


def test_failure_names_the_cell_and_keeps_partial_output(folders):
    notebooks, book = folders
    write_notebook(notebooks / "01_broken.ipynb", "x = 41 + 1\nprint(x)", "raise RuntimeError('boom')")
    run = reproduce.run_notebook("01_broken", {"quick": True, "seed": 3}, book, notebooks)
    assert run.status == "failed"
    assert "RuntimeError: boom" in run.error and "cell" in run.error
    partial = nbformat.read(book / "chapters" / "01_broken.ipynb", as_version=4)
    printed = [o.get("text", "") for c in partial.cells for o in c.get("outputs", [])]
    assert "42\n" in printed  # the cells before the failure kept their output


def test_parameters_injected_and_hidden(folders):
    notebooks, book = folders
    write_notebook(notebooks / "02_ok.ipynb", "print(quick, seed)")
    run = reproduce.run_notebook("02_ok", {"quick": False, "seed": 7}, book, notebooks)
    assert run.status == "ok"
    nb = nbformat.read(book / "chapters" / "02_ok.ipynb", as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert "remove-cell" in injected[0].metadata["tags"]
    assert nb.cells[-1].outputs[0]["text"] == "False 7\n"
    path = reproduce.write_provenance([run], book)
    record = json.loads(path.read_text())["notebooks"]["02_ok"]
    assert record["parameters"] == {"quick": False, "seed": 7} and record["duration_s"] > 0


def test_select_accepts_names_without_prefix(folders):
    notebooks, _ = folders
    for name in ("00_a", "10_b", "99_claims"):
        write_notebook(notebooks / f"{name}.ipynb")
    assert reproduce.notebook_names(notebooks) == ["00_a", "10_b", "99_claims"]
    assert reproduce.select(["b", "00_a"], notebooks) == ["00_a", "10_b"]
    with pytest.raises(ValueError, match="unknown notebook 'c'; known notebooks: 00_a, 10_b, 99_claims"):
        reproduce.select(["c"], notebooks)
