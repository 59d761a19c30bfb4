"""Unit tests of `nascore reproduce` that need no notebook execution."""
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
