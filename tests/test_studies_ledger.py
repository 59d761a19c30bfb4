"""The ledger as the reader meets it: counts per paper, the front page, the HTML table."""
import json
import re

import pandas as pd
import pytest

from nascore import claims
from nascore.studies import claims as L


def make_ledger():
    rows = [("a.1", "Zhu et al. 2022", "reproduced", "zhu", "our code, real data", "0.9", "0.91"),
            ("a.2", "Zhu et al. 2022", "not reproduced", "40_zhu", "stand-in data", "1.2", "0.4"),
            ("a.3", "Zhu et al. 2022", "reproduced", "zhu", "stand-in data", "3", "3"),
            ("b.1", "Mok et al. 2022 <LGA>", "partly", "lga", "unstated", "x & y", "z")]
    frame = pd.DataFrame([{"id": i, "paper": p, "verdict": v, "chapter": c, "source": s,
                           "paper_value": pv, "our_value": ov, "where": "Table 1", "claim": f"claim {i}",
                           "run_started": "t"} for i, p, v, c, s, pv, ov in rows])
    return frame.sort_values(["paper", "id"], ignore_index=True)


def test_paper_summary_counts_every_verdict_with_zeros():
    table = L.paper_summary(make_ledger())
    assert list(table.index) == ["Mok et al. 2022 <LGA>", "Zhu et al. 2022"]
    assert table.loc["Zhu et al. 2022"].to_dict() == {"reproduced": 2, "partly": 0, "not reproduced": 1,
                                                      "not attempted": 0, "total": 3}
    assert table["total"].sum() == 4


def test_paper_sentence_leaves_out_empty_verdicts_and_says_claim_once():
    table = L.paper_summary(make_ledger())
    assert L.paper_sentence("Zhu et al. 2022", table.loc["Zhu et al. 2022"]) == \
        "Zhu et al. 2022: 3 claims checked; 2 reproduced, 1 not reproduced."
    assert L.paper_sentence("Mok", table.loc["Mok et al. 2022 <LGA>"]) == "Mok: 1 claim checked; 1 partly."


def test_chapter_pages_accept_either_name_and_reject_unknown():
    names = ["40_zhu", "70_lga", "99_claims"]
    assert L.chapter_pages(make_ledger(), names) == {"40_zhu": "40_zhu", "lga": "70_lga", "zhu": "40_zhu"}
    with pytest.raises(ValueError, match="'lga'.*no notebook"):
        L.chapter_pages(make_ledger(), ["40_zhu"])


def notebook(tmp_path, name, *markdown):
    cells = [{"cell_type": "markdown", "metadata": {}, "source": m} for m in markdown]
    path = tmp_path / f"{name}.ipynb"
    path.write_text(json.dumps({"cells": cells}))
    return path


def test_claims_anchor_only_for_a_claims_heading(tmp_path):
    assert L.claims_anchor(notebook(tmp_path, "a", "# Title", "text\n\n## Claims")) == "#claims"
    assert L.claims_anchor(notebook(tmp_path, "b", "# Title", "the claims below")) == ""


def test_front_page_totals_sentences_links_and_figure():
    text = L.front_page(make_ledger(), ["40_zhu", "70_lga", "99_claims"], "generated/findings.svg")
    assert "Of **4** claims" in text and "**2** are reproduced, 1 partly, 1 not reproduced and 0" in text
    assert "- **Zhu et al. 2022: 3 claims checked; 2 reproduced, 1 not reproduced.** Checked in " \
           "{doc}`chapters/40_zhu`." in text
    assert "{doc}`chapters/70_lga`" in text and "```{figure} generated/findings.svg" in text


def test_a_chapter_whose_last_run_did_not_finish_is_named_with_the_run_its_claims_come_from(tmp_path):
    ledger = make_ledger()
    ledger["last_attempt"] = ledger["chapter"].map({"lga": "interrupted at 2025-02-01 10:00:00 UTC"}).fillna("")
    text = L.front_page(ledger, ["40_zhu", "70_lga", "99_claims"], "generated/findings.svg")
    assert ("- **The last run of {doc}`chapters/70_lga` did not finish (interrupted at 2025-02-01 10:00:00 UTC)**: "
            "its claims counted here are those of its last complete run, started t.") in text
    assert "40_zhu` did not finish" not in text
    notebook(tmp_path, "40_zhu", "## Claims")
    notebook(tmp_path, "70_lga", "no heading")
    rows = re.findall(r"<tr id=.*?</tr>", L.ledger_html(ledger, ["40_zhu", "70_lga"], tmp_path))
    assert "from the run of t; the last run interrupted at 2025-02-01 10:00:00 UTC" in rows[0]  # b.1
    assert not any("the last run" in row for row in rows[1:])


def test_ledger_html_side_by_side_escaped_links_and_filter(tmp_path):
    notebook(tmp_path, "40_zhu", "## Claims")
    notebook(tmp_path, "70_lga", "no heading")
    page = L.ledger_html(make_ledger(), ["40_zhu", "70_lga"], tmp_path)
    rows = re.findall(r"<tr id=.*?</tr>", page)
    assert len(rows) == 4
    assert rows[0].startswith('<tr id="claim-b.1" data-paper="Mok et al. 2022 &lt;LGA&gt;">')
    assert "<td>x &amp; y</td><td>z</td>" in rows[0]  # paper's value, then ours
    assert 'href="70_lga.html"' in rows[0] and 'href="40_zhu.html#claims"' in rows[1]
    assert f'background:{L.VERDICT_COLOURS["not reproduced"]}">not reproduced<' in rows[2]
    assert '<option value="Zhu et al. 2022">' in page and "http" not in page


def test_figure_has_one_bar_segment_per_paper_verdict_and_source():
    import matplotlib
    matplotlib.use("Agg")
    fig = L.figure(make_ledger())
    widths = sorted(p.get_width() for p in fig.axes[0].patches)
    assert widths == [1, 1, 1, 1]  # Zhu: reproduced/real, reproduced/stand-in, not/stand-in; Mok: partly
    assert set(L.VERDICT_COLOURS) == set(claims.VERDICTS)
