"""Unit tests of `nascore reproduce` that need no notebook execution."""
import pytest

from nascore import reproduce


def test_claims_notebook_runs_last_even_when_it_sorts_first(tmp_path):
    # 05_claims sorts before 10_b, but it reads the other chapters' claims: it goes last
    for name in ("10_b", "05_claims", "00_a", "_draft"):
        (tmp_path / f"{name}.ipynb").write_text("{}")
    assert reproduce.notebook_names(tmp_path) == ["00_a", "10_b", "05_claims"]


def test_the_books_claims_notebook_is_last():
    names = reproduce.notebook_names()
    assert names[-1].endswith("claims") and sum(n.endswith("claims") for n in names) == 1
    assert names[:-1] == sorted(names[:-1])


def test_fold_code_hides_inputs_removes_parameters_and_keeps_markdown():
    import nbformat

    from nascore.reproduce import fold_code

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"),
                nbformat.v4.new_code_cell("quick = True", metadata={"tags": ["parameters"]}),
                nbformat.v4.new_code_cell("quick = False", metadata={"tags": ["injected-parameters"]}),
                nbformat.v4.new_code_cell("x = 1"),
                nbformat.v4.new_code_cell("secret()", metadata={"tags": ["remove-cell"]}),
                nbformat.v4.new_code_cell("y = 2", metadata={"tags": ["hide-input"]})]
    fold_code(nb)
    fold_code(nb)  # idempotent: a second pass adds nothing
    tags = [c.metadata.get("tags", []) for c in nb.cells]
    assert tags == [[], ["parameters", "remove-cell"], ["injected-parameters", "remove-cell"],
                    ["hide-input"], ["remove-cell"], ["hide-input"]]


def test_eta_uses_earlier_durations_then_this_runs_mean_shared_by_jobs():
    done = {"a": 10.0, "b": 30.0}  # mean 20 s
    assert reproduce.eta_seconds(["c", "d"], done, {"c": 5.0}) == 25.0  # 5 (earlier) + 20 (mean)
    assert reproduce.eta_seconds(["c", "d"], done, {"c": 5.0}, jobs=2) == 12.5
    assert reproduce.eta_seconds(["c"], {}, {}) == 0.0
    assert reproduce.eta_seconds([], done, {}) == 0.0


def test_run_box_states_mode_parameters_and_data_read():
    run = reproduce.NotebookRun("10_x", {"quick": True, "seed": 0},
                                data_read=["0123456789abcdef data/nb/table.json"])
    box = reproduce.run_box(run)
    assert box.startswith("```{admonition} How this chapter was run") and box.endswith("```")
    assert "Mode: quick (reduced sample sizes" in box and "`quick=True`, `seed=0`" in box
    assert "Data read: `data/nb/table.json` (0123456789ab)." in box
    full = reproduce.run_box(reproduce.NotebookRun("10_x", {"quick": False, "seed": 1}))
    assert "Mode: default (the papers' sample sizes, on the tables shipped" in full and "Data read: none" in full
    again = reproduce.run_box(reproduce.NotebookRun("10_x", reproduce.mode_parameters(regenerate=True)))
    assert "Mode: regenerate (" in again and "`regenerate=True`" in again
    das = reproduce.run_box(reproduce.NotebookRun("60_das", reproduce.mode_parameters(regenerate=True)))
    assert "this chapter recomputes `nb201-mnist5k`, `nb201-zc-naswot`, the shipped tables it can" in das
    assert "this chapter recomputes no shipped table" in again


def test_modes_inject_quick_and_seed_and_regenerate_only_when_asked():
    assert reproduce.mode_parameters() == {"quick": False, "seed": 0}
    assert reproduce.mode_parameters(quick=True, seed=3) == {"quick": True, "seed": 3}
    assert reproduce.mode_parameters(regenerate=True) == {"quick": False, "seed": 0, "regenerate": True}
    assert [reproduce.mode_name(reproduce.mode_parameters(**k)) for k in ({}, {"quick": True}, {"regenerate": True})] \
        == ["default", "quick", "regenerate"]
    with pytest.raises(ValueError, match="quick and regenerate exclude each other"):
        reproduce.mode_parameters(quick=True, regenerate=True)


def test_run_box_lists_the_sample_sizes_a_chapter_noted(tmp_path, monkeypatch):
    from nascore import provenance

    target = tmp_path / "sizes.json"
    monkeypatch.setenv("NASCORE_SIZES", str(target))
    provenance.note_sizes(n_boot=2000, seeds=20)
    provenance.note_sizes(architectures="all 724")  # merged, not replaced
    import json

    sizes = json.loads(target.read_text())
    assert sizes == {"n_boot": 2000, "seeds": 20, "architectures": "all 724"}
    box = reproduce.run_box(reproduce.NotebookRun("10_x", {"quick": False, "seed": 0}, sizes=sizes))
    assert "Sample sizes: n boot 2000, seeds 20, architectures all 724." in box
    assert "Sample sizes" not in reproduce.run_box(reproduce.NotebookRun("10_x", {"quick": True, "seed": 0}))
    with pytest.raises(ValueError, match="size n_boot=0.5 must be an integer or a string"):
        provenance.note_sizes(n_boot=0.5)
    monkeypatch.delenv("NASCORE_SIZES")
    assert provenance.note_sizes(seeds=3) == {"seeds": 3}  # outside reproduce: nothing written
