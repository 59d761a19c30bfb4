"""The book's bibliography: one ``book/references.bib``, in step with CITATION.cff and the citations."""
import json
import re

import yaml

from nascore.paths import BOOK_DIR, NOTEBOOKS_DIR, REPO_ROOT

BIB = BOOK_DIR / "references.bib"


def bib_entries(text: str) -> dict:
    """{key: fields} of a BibTeX file, fields' values with braces and case dropped."""
    entries = {}
    for match in re.finditer(r"@(\w+)\{([^,\s]+),(.*?)\n\}", text, flags=re.S):
        fields = dict(re.findall(r"(\w+)\s*=\s*(\{.*?\}|\".*?\")\s*,?\s*\n", match.group(3) + "\n", flags=re.S))
        entries[match.group(2)] = {k.lower(): normal(v) for k, v in fields.items()}
    return entries


def normal(title: str) -> str:
    """A title compared without braces, case, TeX accents or repeated spaces."""
    return " ".join(re.sub(r"[{}\\'`\"]", "", title).lower().split())


def cited_keys(text: str) -> set:
    return {k.strip() for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for k in group.split(",")}


def test_the_parser_reads_a_worked_example():
    text = '@article{a1,\n  title = {The {NTK} of \\"{U}ber nets},\n  year = {2020}\n}\n@misc{b,\n  title = {B}\n}\n'
    assert bib_entries(text) == {"a1": {"title": "the ntk of uber nets", "year": "2020"}, "b": {"title": "b"}}
    assert cited_keys("see {cite}`a1, b` and {cite:t}`c`") == {"a1", "b", "c"}


def test_every_citation_cff_reference_is_in_the_bibliography():
    cff = yaml.safe_load((REPO_ROOT / "CITATION.cff").read_text())
    titles = {e["title"] for e in bib_entries(BIB.read_text()).values()}
    missing = [r["title"] for r in cff["references"] if normal(r["title"]) not in titles]
    assert not missing, f"CITATION.cff references missing from {BIB.name}: {missing}"


def test_every_cited_key_is_in_the_bibliography_and_the_papers_are_cited():
    texts = [p.read_text() for p in BOOK_DIR.glob("*.md")]
    for path in NOTEBOOKS_DIR.glob("*.ipynb"):
        cells = json.loads(path.read_text())["cells"]
        texts += ["".join(c["source"]) for c in cells if c["cell_type"] == "markdown"]
    cited = set().union(*(cited_keys(t) for t in texts))
    keys = set(bib_entries(BIB.read_text()))
    assert not cited - keys, f"cited but not in {BIB.name}: {sorted(cited - keys)}"
    papers = {"zhu2022generalization", "liu2022das", "mok2022demystifying", "shu2022unifying"}
    assert papers <= cited, f"reproduced papers never cited: {sorted(papers - cited)}"
