"""nascore: training-free neural architecture search, reproduced.

The package behind the nascore book, in three layers: library below, studies above, face
on top (``book/design.md``). The library, one job each:

- :mod:`nascore.spaces`  search spaces (NAS-Bench-201 cell, Zhu et al.'s mixed nets)
- :mod:`nascore.ntk`     empirical neural tangent kernel and its spectrum
- :mod:`nascore.metrics` training-free metrics, one registry
- :mod:`nascore.theory`  Hermite coefficients, infinite-width kernels, bounds
- :mod:`nascore.bench`   benchmark tables (shipped and trained here)
- :mod:`nascore.data`    image datasets shipped with the package
- :mod:`nascore.stats`   rank correlations with bootstrap intervals
- :mod:`nascore.search`  search algorithms on tabular benchmarks
- :mod:`nascore.training` the training protocol and loop; metrics probed along training
- :mod:`nascore.claims`, :mod:`nascore.plots`, :mod:`nascore.provenance`, :mod:`nascore.paths`

Above it, :mod:`nascore.studies` holds one module per chapter of the book; on top,
:mod:`nascore.cli` and :mod:`nascore.reproduce` drive both.
"""
from importlib import import_module

__version__ = "0.1.0"

_SUBMODULES = ("spaces", "ntk", "metrics", "theory", "bench", "data", "stats", "search",
               "training", "plots", "paths", "claims", "provenance")


def __getattr__(name):
    # Lazy sub-module import keeps `import nascore` (and the CLI's --help) fast.
    if name in _SUBMODULES:
        return import_module(f"nascore.{name}")
    raise AttributeError(f"module 'nascore' has no attribute {name!r}")
