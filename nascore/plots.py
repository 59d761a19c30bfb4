"""The book's figure style: one theme, paper-sized figures, fixed output folder.

``savefig(fig, name)`` writes ``<figure dir>/<name>.png`` at a fixed size and dpi;
the folder is ``NASCORE_FIGURES`` (set by ``nascore reproduce``) or ``./figures``.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib

#: One column of a two-column paper, and a full-width figure (inches).
COLUMN = (3.4, 2.5)
WIDE = (7.0, 2.8)
DPI = 150
#: Colour-blind-safe palette used for every categorical colour in the book.
PALETTE = "colorblind"


def use_style() -> None:
    """Apply the book's theme (seaborn paper context, small serif-free fonts)."""
    import seaborn as sns

    sns.set_theme(context="paper", style="ticks", palette=PALETTE, font_scale=1.0)
    matplotlib.rcParams.update({
        "figure.dpi": DPI, "savefig.dpi": DPI, "savefig.bbox": "tight",
        "axes.spines.top": False, "axes.spines.right": False,
        "axes.titlesize": 9, "axes.labelsize": 9, "legend.fontsize": 7,
        "xtick.labelsize": 8, "ytick.labelsize": 8, "legend.frameon": False,
    })


def figure(size=COLUMN, ncols: int = 1, nrows: int = 1, **kwargs):
    """A new figure in the book style: ``fig, axes = figure(WIDE, ncols=3)``."""
    import matplotlib.pyplot as plt

    use_style()
    return plt.subplots(nrows, ncols, figsize=size, **kwargs)


def figure_dir() -> Path:
    path = Path(os.environ.get("NASCORE_FIGURES", "figures"))
    path.mkdir(parents=True, exist_ok=True)
    return path


def savefig(fig, name: str) -> Path:
    """Save ``fig`` as ``<figure dir>/<name>.png`` and return the path."""
    if not name or any(c in name for c in "/\\ "):
        raise ValueError(f"figure name {name!r} must be a non-empty file stem without '/', '\\' or spaces")
    path = figure_dir() / f"{name}.png"
    fig.savefig(path)
    return path
