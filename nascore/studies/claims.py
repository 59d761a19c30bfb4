"""The claims ledger as a reader meets it: per-paper verdict counts, the front page's
findings and figure, and the ledger as one filterable HTML table.

Everything here is computed from the ledger (:func:`nascore.claims.load`); nothing is
typed by hand. The HTML is plain: one table, one ``<select>`` and a few lines of local
JavaScript to filter by paper (no CDN, no widget).
"""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .. import claims

#: Label colour of each verdict (colour-blind-safe enough: green, amber, red, grey).
VERDICT_COLOURS = {"reproduced": "#2e7d32", "partly": "#e0a100", "not reproduced": "#c62828",
                   "not attempted": "#9e9e9e"}
#: Hatch of each source of our value in the summary figure.
SOURCE_HATCHES = {"our code, real data": "", "precomputed table": "///", "stand-in data": "...", "theory check": "\\\\",
                  claims.UNSTATED: "xx"}


def paper_summary(ledger):
    """Verdict counts per paper: one row per paper (sorted), a column per verdict of
    :data:`nascore.claims.VERDICTS` (zeros included) and ``total``."""
    import pandas as pd

    papers = sorted(set(ledger["paper"]))
    table = pd.DataFrame(0, index=papers, columns=list(claims.VERDICTS))
    for (paper, verdict), n in ledger.groupby(["paper", "verdict"]).size().items():
        table.loc[paper, verdict] = int(n)
    table["total"] = table.sum(axis=1)
    table.index.name = "paper"
    return table


def paper_sentence(paper: str, counts) -> str:
    """One sentence per paper: how many of its claims were checked and their verdicts,
    e.g. ``"Zhu et al. 2022: 5 claims checked; 2 reproduced, 1 partly, 2 not reproduced."``
    (verdicts with no claim are left out)."""
    total = int(counts["total"])
    parts = [f"{int(counts[v])} {v}" for v in claims.VERDICTS if int(counts[v])]
    noun = "claim" if total == 1 else "claims"
    return f"{paper}: {total} {noun} checked; " + ", ".join(parts) + "."


def chapter_pages(ledger, notebook_names: list[str]) -> dict:
    """``{chapter as recorded: notebook name}`` (a claim's chapter may omit the numeric
    prefix: ``zhu`` is ``40_zhu``); a chapter with no notebook is a ValueError."""
    pages = {}
    for chapter in sorted(set(ledger["chapter"])):
        match = [n for n in notebook_names if chapter in (n, n.split("_", 1)[-1])]
        if not match:
            raise ValueError(f"claims of chapter {chapter!r}: no notebook of that name; "
                             f"known: {', '.join(notebook_names)}")
        pages[chapter] = match[0]
    return pages


def claims_anchor(notebook: Path) -> str:
    """``"#claims"`` when the notebook has a markdown heading "Claims" (the section that
    checks its claims; Sphinx's id of that heading), else ``""`` (the page's top)."""
    cells = json.loads(Path(notebook).read_text())["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return "#claims" if re.search(r"^#{1,6}\s+Claims\s*$", text, flags=re.M) else ""


def figure(ledger):
    """Horizontal stacked bars, one per paper: its claims coloured by verdict, hatched by
    the source of our value. Returns the matplotlib figure."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    papers = list(paper_summary(ledger).index)[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.45 * len(papers) + 1.6))
    for y, paper in enumerate(papers):
        left = 0
        rows = ledger[ledger["paper"] == paper]
        for verdict in claims.VERDICTS:
            for source, hatch in SOURCE_HATCHES.items():
                n = int(((rows["verdict"] == verdict) & (rows["source"] == source)).sum())
                if n:
                    ax.barh(y, n, left=left, color=VERDICT_COLOURS[verdict], hatch=hatch,
                            edgecolor="white", linewidth=0.8)
                    left += n
    ax.set_yticks(range(len(papers)), papers)
    ax.set_xlabel("claims checked")
    ax.spines[["top", "right"]].set_visible(False)
    handles = [Patch(color=c, label=v) for v, c in VERDICT_COLOURS.items()]
    handles += [Patch(facecolor="white", edgecolor="0.3", hatch=h, label=s)
                for s, h in SOURCE_HATCHES.items() if s in set(ledger["source"])]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.4, -0.25), ncol=4,
              frameon=False, fontsize=8)
    fig.tight_layout()
    return fig


def front_page(ledger, notebook_names: list[str], figure_path: str) -> str:
    """The findings section of the front page (MyST markdown): the totals, one sentence
    per paper with a link to each chapter that checks it, and the summary figure."""
    summary = paper_summary(ledger)
    pages = chapter_pages(ledger, notebook_names)
    counts = claims.count_values(ledger)
    lines = ["## What the book finds", "",
             f"Of **{counts['claims_total']}** claims of the papers that the chapters check, "
             f"**{counts['claims_reproduced']}** are reproduced, {counts['claims_partly']} partly, "
             f"{counts['claims_not_reproduced']} not reproduced and {counts['claims_not_attempted']} "
             "not attempted. Each verdict, with the paper's number next to ours, is in the "
             "{doc}`claims ledger <chapters/99_claims>`.", ""]
    lines += unfinished_runs(ledger, pages)
    for paper, row in summary.iterrows():
        chapters = sorted({pages[c] for c in ledger.loc[ledger["paper"] == paper, "chapter"]})
        links = ", ".join(f"{{doc}}`chapters/{name}`" for name in chapters)
        lines.append(f"- **{paper_sentence(paper, row)}** Checked in {links}.")
    lines += ["", f"```{{figure}} {figure_path}", ":name: findings-figure", ":width: 100%", "",
              "Claims checked per paper, coloured by verdict and hatched by what our value rests "
              "on (plain: our code on the paper's data; hatched: a precomputed table, stand-in "
              "data or unstated).", "```", ""]
    return "\n".join(lines)


def unfinished_runs(ledger, pages: dict) -> list[str]:
    """Lines of the front page for the chapters whose last run did not finish (a claims
    file marked by :func:`nascore.claims.mark_attempt`): which run their claims come from."""
    if "last_attempt" not in ledger:
        return []
    marked = ledger[ledger["last_attempt"].astype(bool)]
    lines = []
    for chapter, rows in marked.groupby("chapter"):
        lines.append(f"- **The last run of {{doc}}`chapters/{pages[chapter]}` did not finish "
                     f"({rows['last_attempt'].iloc[0]})**: its claims counted here are those of its last "
                     f"complete run, started {rows['run_started'].iloc[0]}.")
    return lines + [""] if lines else []


_STYLE = """<style>
.bd-sidebar-secondary { display: none !important; }
.bd-page-width, .bd-main .bd-content .bd-article-container { max-width: 100% !important; }
table.nascore-ledger { width: 100%; table-layout: fixed; border-collapse: collapse; font-size: 0.85em; }
table.nascore-ledger th, table.nascore-ledger td { padding: 0.3em 0.4em; vertical-align: top;
  overflow-wrap: break-word; border-bottom: 1px solid #ddd; text-align: left; }
table.nascore-ledger col.c-paper { width: 12%; } table.nascore-ledger col.c-claim { width: 30%; }
table.nascore-ledger col.c-num { width: 14%; } table.nascore-ledger col.c-verdict { width: 10%; }
table.nascore-ledger col.c-source { width: 11%; } table.nascore-ledger col.c-chapter { width: 9%; }
.nascore-verdict { display: inline-block; padding: 0.1em 0.45em; border-radius: 0.6em; color: #fff;
  font-weight: 600; font-size: 0.9em; white-space: nowrap; }
.nascore-where { color: #666; font-size: 0.9em; }
</style>"""

_SCRIPT = """<script>
(function () {
  var select = document.getElementById("nascore-ledger-paper");
  select.addEventListener("change", function () {
    var rows = document.querySelectorAll("table.nascore-ledger tbody tr");
    for (var i = 0; i < rows.length; i++) {
      rows[i].hidden = select.value !== "" && rows[i].dataset.paper !== select.value;
    }
  });
})();
</script>"""


def _attempt_note(row) -> str:
    mark = getattr(row, "last_attempt", "")
    if not mark:
        return ""
    return (f'<br><span class="nascore-where">from the run of {html.escape(row.run_started)}; '
            f"the last run {html.escape(mark)}</span>")


def ledger_html(ledger, notebook_names: list[str], notebooks_dir: Path) -> str:
    """The ledger as one HTML table for the ledger chapter (a page in ``chapters/``):
    paper, claim (with where the paper makes it), the paper's value and ours side by
    side, the verdict as a coloured label, the source of our value and a link to the
    section of the chapter that checks the claim; a select filters the rows by paper."""
    e = html.escape
    pages = chapter_pages(ledger, notebook_names)
    anchors = {c: claims_anchor(Path(notebooks_dir) / f"{n}.ipynb") for c, n in pages.items()}
    options = "".join(f'<option value="{e(p)}">{e(p)}</option>' for p in sorted(set(ledger["paper"])))
    out = [_STYLE, '<p><label for="nascore-ledger-paper">Show the claims of </label>'
           f'<select id="nascore-ledger-paper"><option value="">every paper</option>{options}</select></p>',
           '<table class="nascore-ledger"><colgroup><col class="c-paper"><col class="c-claim">'
           '<col class="c-num"><col class="c-num"><col class="c-verdict"><col class="c-source">'
           '<col class="c-chapter"></colgroup>',
           "<thead><tr><th>paper</th><th>claim</th><th>paper's value</th><th>our value</th>"
           "<th>verdict</th><th>source</th><th>checked in</th></tr></thead><tbody>"]
    for row in ledger.itertuples(index=False):
        page = pages[row.chapter]
        colour = VERDICT_COLOURS[row.verdict]
        out.append(
            f'<tr id="claim-{e(row.id)}" data-paper="{e(row.paper)}"><td>{e(row.paper)}</td>'
            f'<td>{e(row.claim)}<br><span class="nascore-where">{e(row.where)}</span></td>'
            f"<td>{e(row.paper_value)}</td><td>{e(row.our_value)}</td>"
            f'<td><span class="nascore-verdict" style="background:{colour}">{e(row.verdict)}</span></td>'
            f"<td>{e(row.source)}</td>"
            f'<td><a class="nascore-chapter-link" href="{e(page)}.html{anchors[row.chapter]}">'
            f"{e(page)}</a>{_attempt_note(row)}</td></tr>")
    out += ["</tbody></table>", _SCRIPT]
    return "\n".join(out)
