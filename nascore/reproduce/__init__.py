"""``nascore reproduce``: execute every notebook with papermill, then build the book.

Each notebook in ``notebooks/`` runs with its parameters injected (``quick``, ``seed``)
into ``book/chapters/<name>.ipynb``; the injected cell is removed from the book and
every other code cell folded behind a "show code" toggle (:func:`fold_code`). For every
run we record its parameters, duration, git commit, package versions and the hashes of
the data files it read (all as defined in :mod:`nascore.provenance`) in
``book/generated/provenance.json``, shown as a book page. The book is then built with
jupyter-book 1.x, fully offline: MathJax is copied from the installed
``django-static-mathjax`` package into the book, no CDN is referenced.

One module per job: :mod:`.chapters` (the notebooks, the modes, how a chapter is
shown), :mod:`.kernel` (running one notebook, stopping kernels on Ctrl-C), :mod:`.outputs` (a chapter's
outputs replaced whole or not at all, the provenance record),
:mod:`.book` (the front page and the HTML build) and :mod:`.run` (:func:`reproduce`).
Their public names are importable from here.
"""
from .book import ReproduceError, build_book, build_failure, copy_mathjax, missing_glue, write_findings
from .chapters import (LAST, NotebookRun, fold_code, mode_name, mode_parameters, notebook_names, run_box,
                       select)
from .kernel import Kernels, log_file, notebook_env, run_notebook
from .outputs import code_state, partial_output, write_provenance
from .run import eta_seconds, reproduce

__all__ = ["LAST", "Kernels", "NotebookRun", "ReproduceError", "build_book", "build_failure", "code_state",
           "copy_mathjax", "eta_seconds", "fold_code", "log_file", "missing_glue", "mode_name", "mode_parameters",
           "notebook_env", "notebook_names", "partial_output", "reproduce", "run_box", "run_notebook", "select",
           "write_findings", "write_provenance"]
