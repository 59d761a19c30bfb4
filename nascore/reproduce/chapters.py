"""What a chapter of the book is for ``nascore reproduce``: the notebooks and their order,
the modes' parameters, the record of one run (:class:`NotebookRun`) and how an executed
notebook is shown (code folded, a "how this chapter was run" box)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..paths import NOTEBOOKS_DIR

#: Notebooks whose name ends with this run after all others (they read the others' outputs).
LAST = ("claims",)


@dataclass
class NotebookRun:
    """One run of a chapter. ``status``: ``pending``, ``ok`` (its outputs are in the book),
    ``failed``, ``interrupted`` (Ctrl-C or SIGTERM) or ``killed`` (found dead later); ``ended``
    is when it stopped (UTC), ``output`` its notebook (the partial one when not ``ok``)."""
    name: str
    parameters: dict
    status: str = "pending"
    duration_s: float = 0.0
    output: str = ""
    error: str = ""
    data_read: list = field(default_factory=list)
    sizes: dict = field(default_factory=dict)
    ended: str = ""


def notebook_names(notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """Names (file stems) of the book's notebooks, in running order."""
    names = sorted(p.stem for p in notebooks_dir.glob("*.ipynb") if not p.stem.startswith("_"))
    return [n for n in names if not n.endswith(LAST)] + [n for n in names if n.endswith(LAST)]


def select(only: list[str] | None, notebooks_dir: Path = NOTEBOOKS_DIR) -> list[str]:
    """The notebooks to run; ``only`` entries may omit the numeric prefix (``zhu``). The
    :data:`LAST` notebooks (the claims ledger, which reads every chapter's claims) always
    run, so the ledger never lags behind a chapter that was rerun alone."""
    names = notebook_names(notebooks_dir)
    if not only:
        return names
    chosen = []
    for wanted in only:
        matches = [n for n in names if n == wanted or n.split("_", 1)[-1] == wanted]
        if not matches:
            raise ValueError(f"unknown notebook {wanted!r}; known notebooks: {', '.join(names)}")
        chosen.extend(m for m in matches if m not in chosen)
    # the ledger notebooks collect every chapter's claims: rerun them whenever a chapter reruns
    chosen.extend(n for n in names if n.endswith(LAST) and n not in chosen)
    return [n for n in names if n in chosen]


def fold_code(nb) -> None:
    """Tag the cells of an executed notebook for the book: code folded, parameters removed.

    The parameters cells (the notebook's defaults and papermill's injected values) get
    ``remove-cell`` (not shown at all: the provenance page lists the values); every other code
    cell gets MyST-NB's ``hide-input`` (source behind a "show code" toggle, outputs shown),
    unless it already removes or hides its input. Markdown cells are left as they are.
    """
    hiding = {"remove-cell", "remove-input", "hide-input", "hide-cell"}
    for cell in nb.cells:
        tags = cell.metadata.setdefault("tags", [])
        if "injected-parameters" in tags or "parameters" in tags:
            if "remove-cell" not in tags:
                tags.append("remove-cell")
        elif cell.cell_type == "code" and not hiding.intersection(tags):
            tags.append("hide-input")


def run_box(run: NotebookRun) -> str:
    """A MyST note saying how a chapter was run: mode, seed, the sample sizes it recorded
    (:func:`nascore.provenance.note_sizes`) and the data files it read (with the first 12
    hex digits of their SHA-256), for the top of the chapter. In regenerate mode it names
    the shipped tables the chapter recomputes (:func:`nascore.tables.regenerated`)."""
    from ..tables import regenerated  # here: the registry's readers import torch

    recomputed = regenerated(run.name)
    mode = {"quick": "quick (reduced sample sizes: fewer seeds, resamples and architectures than the papers)",
            "default": "default (the papers' sample sizes, on the tables shipped in `data/`)",
            "regenerate": "regenerate (the papers' sample sizes; "
                          + (f"this chapter recomputes {', '.join(f'`{n}`' for n in recomputed)}, the shipped "
                             "tables it can" if recomputed else "this chapter recomputes no shipped table")
                          + ")"}[mode_name(run.parameters)]
    params = ", ".join(f"`{k}={v!r}`" for k, v in run.parameters.items())
    reads = [f"`{line.split(' ', 1)[1]}` ({line[:12]})" for line in run.data_read if " " in line]
    sizes = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in run.sizes.items())
    lines = ["```{admonition} How this chapter was run", ":class: note", "",
             f"Mode: {mode}. Parameters: {params}. "
             "The commit, time and package versions are on the {doc}`provenance page <../generated/provenance>`.",
             *(["", f"Sample sizes: {sizes}."] if sizes else []),
             "", "Data read: " + ("; ".join(reads) if reads else "none (everything computed in the chapter)") + ".",
             "```"]
    return "\n".join(lines)


def mode_parameters(*, quick: bool = False, regenerate: bool = False, seed: int = 0) -> dict:
    """The parameters injected into every notebook for one of the three modes:

    - default (``quick=False``): the papers' sample sizes (seeds, bootstrap resamples,
      whole architecture tables), reading the shipped tables of ``data/`` for anything
      that needs training or hours of scoring; the published book;
    - ``quick=True``: reduced sizes, for tests and CI;
    - ``regenerate=True``: the papers' sizes, and the chapters that can recompute a
      shipped table do so through the results store (hours, resumable).

    ``regenerate`` is injected only when set, so that the two everyday modes pass exactly
    ``quick`` and ``seed``.
    """
    if quick and regenerate:
        raise ValueError("quick and regenerate exclude each other: regenerate runs at the papers' sizes")
    return {"quick": bool(quick), "seed": int(seed)} | ({"regenerate": True} if regenerate else {})


def mode_name(parameters: dict) -> str:
    """``quick``, ``default`` or ``regenerate``, from injected :func:`mode_parameters`."""
    if parameters.get("regenerate"):
        return "regenerate"
    return "quick" if parameters.get("quick") else "default"


