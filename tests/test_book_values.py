"""Every value the book glues, from a fresh quick run, against ``tests/glued_quick.json``.

A change to a published number fails here until the regression file is regenerated
(``python tests/book_values.py --build --write``) and committed with the change, so the
change shows in review. See tests/book_values.py for the comparison rules.
"""
import json

import pytest
from book_values import (FLOAT_TOLERANCE, QUICK, REGENERATE, REGRESSION_FILE, collect, compare,
                         load_expected, parse, stale_reasons)

from nascore import claims, provenance, reproduce
from nascore.paths import BOOK_DIR


def test_every_glued_value_of_a_quick_run_matches_the_regression_file(built_book):
    expected, tolerance = load_expected()
    assert tolerance == FLOAT_TOLERANCE
    problems = compare(expected, collect(BOOK_DIR, reproduce.notebook_names()), tolerance)
    shown = "\n".join(problems[:40]) + (f"\n... and {len(problems) - 40} more" if len(problems) > 40 else "")
    assert not problems, (f"{len(problems)} glued value(s) differ from {REGRESSION_FILE.name}:\n{shown}\n"
                          f"If the change is intended, regenerate the file (`{REGENERATE}`) and commit it.")


def test_regression_file_covers_every_chapter_and_the_ledger_counts():
    expected, _ = load_expected()
    assert list(expected) == reproduce.notebook_names(), f"regenerate: {REGENERATE}"
    ledger = expected[reproduce.notebook_names()[-1]]
    names = set(claims.count_values(claims.load(chapters=[])))  # every count the ledger glues
    assert names <= set(ledger), sorted(names - set(ledger))
    assert ledger["claims_total"] == sum(ledger[f"claims_{v.replace(' ', '_')}"] for v in claims.VERDICTS)


def test_parse_reads_the_glued_text_forms():
    assert parse("725") == 725 and parse("-0.5") == -0.5 and parse("True") is True
    assert parse("np.float64(0.7935)") == 0.7935 and parse("np.int64(3)") == 3
    assert parse("'0.1.0'") == "0.1.0"
    assert parse("nan") == "nan" and parse("[1, 2]") == "[1, 2]"  # kept as text, compared exactly


def test_compare_names_each_kind_of_difference():
    expected = {"10_a": {"rho": 0.5, "n": 3, "label": "x", "gone": 1}, "20_old": {"v": 1}}
    actual = {"10_a": {"rho": 0.5 + 4e-7, "n": 3.0, "label": "y", "new": 2}, "30_new": {"w": 1, "z": 2}}
    assert compare(expected, actual) == [
        "10_a/gone: no longer glued (was 1)",
        "10_a/label: 'x' -> 'y'",
        "10_a/n: 3 -> 3.0",  # a type change is a change
        "10_a/new: new value 2",
        "20_old: chapter in the regression file but not in the book",
        "30_new: new chapter (2 glued values) not in the regression file",
    ]
    assert compare({"a": {"rho": 0.5}}, {"a": {"rho": 0.5 + 1e-6}}) == ["a/rho: 0.5 -> 0.500001"]
    assert compare({"a": {"tiny": 0.0}}, {"a": {"tiny": 5e-10}}) == []  # within the absolute tolerance


def _provenance(book, **changes):
    head = provenance.git_state()["commit"]
    run = {"status": "ok", "parameters": dict(QUICK), "git_commit": head, "git_tree": provenance.worktree_id()}
    record = {"notebooks": {"10_a": run | changes}}
    (book / "generated").mkdir(parents=True, exist_ok=True)
    (book / "generated" / "provenance.json").write_text(json.dumps(record))


def test_a_book_from_another_commit_or_other_code_is_not_reused(tmp_path):
    assert "never built" in stale_reasons(tmp_path, ["10_a"])[0]
    _provenance(tmp_path)
    assert stale_reasons(tmp_path, ["10_a"]) == []
    assert stale_reasons(tmp_path, ["10_a", "20_b"]) == ["20_b: never run"]
    _provenance(tmp_path, git_commit="0" * 40 + "-dirty")
    assert stale_reasons(tmp_path, ["10_a"]) == [f"10_a: built at commit {'0' * 12}, HEAD is "
                                                 f"{provenance.git_state()['commit'][:12]}"]
    _provenance(tmp_path, parameters={"quick": False, "seed": 0}, status="failed")
    assert stale_reasons(tmp_path, ["10_a"]) == ["10_a: status 'failed'",
                                                 "10_a: parameters {'quick': False, 'seed': 0}, not "
                                                 "{'quick': True, 'seed': 0}"]
    _provenance(tmp_path, git_tree=None)
    assert "no worktree id recorded" in stale_reasons(tmp_path, ["10_a"])[0]


@pytest.fixture
def scratch_input():
    """A throw-away untracked file under nascore/ (one of the book's inputs), removed after."""
    from book_values import REPO

    path = REPO / "nascore" / "_scratch_for_test_book_values.py"
    yield path
    path.unlink(missing_ok=True)


def test_an_uncommitted_change_to_the_code_makes_the_book_stale(tmp_path, scratch_input):
    _provenance(tmp_path)
    scratch_input.write_text("x = 1\n")
    assert stale_reasons(tmp_path, ["10_a"]) == ["10_a: built from other contents of nascore"]


def test_a_chapter_computing_float32_networks_live_has_its_own_tolerance():
    from book_values import CHAPTER_TOLERANCE, tolerance_for

    assert tolerance_for("50_hnas") == FLOAT_TOLERANCE  # search picks: round-off-proof
    assert tolerance_for("80_supernet")["rel"] == 1e-4 and CHAPTER_TOLERANCE["80_supernet"][1]
    assert compare({"80_supernet": {"acc": 0.5}}, {"80_supernet": {"acc": 0.5 * (1 + 5e-5)}}) == []
    assert compare({"50_hnas": {"acc": 0.5}}, {"50_hnas": {"acc": 0.5 * (1 + 5e-5)}}) != []
