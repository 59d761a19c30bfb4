"""`nascore reproduce` on throw-away notebooks: failures are named, partial output kept."""
import json

import nbformat
import pytest

from nascore import claims, reproduce


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
    assert run.output == "_build/partial/01_broken.ipynb"  # not a chapter of the book
    assert not (book / "chapters" / "01_broken.ipynb").exists()
    partial = nbformat.read(book / run.output, as_version=4)
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
    # the claims ledger reruns with any chapter, so it never lags behind one rerun alone
    assert reproduce.select(["b", "00_a"], notebooks) == ["00_a", "10_b", "99_claims"]
    assert reproduce.select(["claims"], notebooks) == ["99_claims"]
    with pytest.raises(ValueError, match="unknown notebook 'c'; known notebooks: 00_a, 10_b, 99_claims"):
        reproduce.select(["c"], notebooks)


# --- reproduce() as a whole, on throw-away notebooks -------------------------------------

def quiet(*args):
    pass


def claim_cell(claim_id, chapter, verdict="reproduced"):
    return (f"from nascore import claims\nclaims.record({claim_id!r}, paper='P', where='w', claim='c', "
            f"paper_value='1', our_value='1', verdict={verdict!r}, chapter={chapter!r})")


def read_cell(path, name, other):
    """Announce the start, wait (up to 60 s) until notebook ``other`` has started too, so the
    two runs overlap, then read ``path`` through the data layer's read log."""
    marker = path.parent
    return (f"import pathlib, time\nfrom nascore.manifest import note_read\n"
            f"pathlib.Path({str(marker / f'started-{name}')!r}).touch()\n"
            f"deadline = time.time() + 60\n"
            f"while not pathlib.Path({str(marker / f'started-{other}')!r}).exists() and time.time() < deadline:\n"
            f"    time.sleep(0.05)\n"
            f"note_read({str(path)!r})")


def test_jobs_2_each_notebook_records_its_own_reads_and_claims_and_the_ledger_runs_last(folders, tmp_path):
    notebooks, book = folders
    files = tmp_path / "data"
    files.mkdir()
    (files / "a.csv").write_text("a\n1\n")
    (files / "b.csv").write_text("b\n2\n")
    write_notebook(notebooks / "10_a.ipynb", read_cell(files / "a.csv", "a", "b"), claim_cell("a.one", "a"))
    write_notebook(notebooks / "20_b.ipynb", read_cell(files / "b.csv", "b", "a"), claim_cell("b.one", "b"))
    # the ledger sorts first but runs last: both chapters' claims are there when it runs
    write_notebook(notebooks / "05_claims.ipynb",
                   "from nascore import claims\nprint(sorted(claims.load(chapters=['10_a', '20_b'])['id']))")
    runs = reproduce.reproduce(jobs=2, build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert [r.name for r in runs][-1] == "05_claims" and all(r.status == "ok" for r in runs)
    record = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]
    assert [line.split(" ", 1)[1] for line in record["10_a"]["data_read"]] == [str(files / "a.csv")]
    assert [line.split(" ", 1)[1] for line in record["20_b"]["data_read"]] == [str(files / "b.csv")]
    assert record["05_claims"]["data_read"] == []
    ledger = nbformat.read(book / "chapters" / "05_claims.ipynb", as_version=4)
    assert ledger.cells[-1].outputs[0]["text"] == "['a.one', 'b.one']\n"
    assert sorted(p.name for p in (book / "generated" / "claims").glob("*.json")) == ["10_a.json", "20_b.json"]


def test_a_failed_notebook_raises_names_it_and_keeps_partial_output(folders):
    notebooks, book = folders
    write_notebook(notebooks / "10_ok.ipynb", "print('fine')")
    write_notebook(notebooks / "20_broken.ipynb", "print(6 * 7)", "1 / 0", "print('never')")
    with pytest.raises(reproduce.ReproduceError) as caught:
        reproduce.reproduce(build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    message = str(caught.value)
    assert message.startswith("1 notebook(s) failed:") and "20_broken: cell" in message
    assert "ZeroDivisionError" in message and "10_ok" not in message
    assert f"partial output kept at {book / '_build' / 'partial' / '20_broken.ipynb'}" in message
    partial = nbformat.read(book / "_build" / "partial" / "20_broken.ipynb", as_version=4)
    printed = [o.get("text", "") for c in partial.cells for o in c.get("outputs", [])]
    assert "42\n" in printed and "never\n" not in printed
    record = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]
    assert record["10_ok"]["status"] == "ok" and record["20_broken"]["status"] == "failed"


def test_only_reruns_some_chapters_and_keeps_the_others_records_and_claims(folders):
    notebooks, book = folders
    write_notebook(notebooks / "10_a.ipynb", claim_cell("a.old", "a"))
    write_notebook(notebooks / "20_b.ipynb", claim_cell("b.one", "b"))
    reproduce.reproduce(build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    first = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]
    b_claims = (book / "generated" / "claims" / "20_b.json").read_text()
    write_notebook(notebooks / "10_a.ipynb", claim_cell("a.new", "a", verdict="partly"))
    runs = reproduce.reproduce(only=["a"], seed=5, build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert [r.name for r in runs] == ["10_a"]
    second = json.loads((book / "generated" / "provenance.json").read_text())["notebooks"]
    assert second["20_b"] == first["20_b"]  # kept as the first run wrote it
    assert second["10_a"]["parameters"] == {"quick": False, "seed": 5}  # the default mode: papers' sizes
    ledger = claims.load(chapters=["10_a", "20_b"], folder=book / "generated" / "claims")
    assert ledger.set_index("id")["verdict"].to_dict() == {"a.new": "partly", "b.one": "reproduced"}
    assert (book / "generated" / "claims" / "20_b.json").read_text() == b_claims  # with its run's timestamp
    # a whole run starts the ledger afresh: a chapter whose notebook is gone leaves nothing
    (notebooks / "20_b.ipynb").unlink()
    reproduce.reproduce(build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert [p.name for p in (book / "generated" / "claims").glob("*.json")] == ["10_a.json"]


def test_a_chapter_that_stops_recording_claims_leaves_none(folders):
    notebooks, book = folders
    write_notebook(notebooks / "10_a.ipynb", claim_cell("a.one", "a"))
    reproduce.reproduce(build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    write_notebook(notebooks / "10_a.ipynb", "print('no claims now')")
    reproduce.reproduce(only=["10_a"], build=False, book_dir=book, notebooks_dir=notebooks, echo=quiet)
    assert claims.load(chapters=["10_a"], folder=book / "generated" / "claims").empty


def test_kernel_warnings_go_to_the_log_file_and_progress_is_one_line_each(folders, capfd):
    notebooks, book = folders
    write_notebook(notebooks / "03_noisy.ipynb",
                   "import os, sys\nos.write(2, b'KERNEL-NOISE\\n')\nprint('cell output')")
    lines = []
    runs = reproduce.reproduce(build=False, book_dir=book, notebooks_dir=notebooks, echo=lines.append)
    assert runs[0].status == "ok"
    assert "KERNEL-NOISE" in reproduce.log_file("03_noisy", book).read_text()
    assert "KERNEL-NOISE" not in capfd.readouterr().err
    progress = [line for line in lines if "03_noisy" in line]
    assert len(progress) == 1 and " ok " in progress[0] and progress[0].rstrip().endswith("done")
    assert lines[-1].startswith("nascore reproduce: 1 notebook(s) ok in ")
