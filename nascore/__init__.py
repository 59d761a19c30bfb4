"""nascore: training-free neural architecture search, reproduced.

The package behind the nascore book. Sub-packages, one job each:

- :mod:`nascore.spaces`  search spaces (NAS-Bench-201 cell, Zhu et al.'s mixed nets)
- :mod:`nascore.ntk`     empirical neural tangent kernel and its spectrum
- :mod:`nascore.metrics` training-free metrics, one registry
- :mod:`nascore.theory`  Hermite coefficients, infinite-width kernels, bounds
- :mod:`nascore.bench`   benchmark tables (shipped and trained here)
- :mod:`nascore.data`    image datasets shipped with the package
- :mod:`nascore.stats`   rank correlations with bootstrap intervals
- :mod:`nascore.search`  search algorithms on tabular benchmarks
"""
from importlib import import_module

__version__ = "0.1.0"

_SUBMODULES = ("spaces", "ntk", "metrics", "theory", "bench", "data", "stats", "search",
               "train", "plots", "paths")


def __getattr__(name):
    # Lazy sub-module import keeps `import nascore` (and the CLI's --help) fast.
    if name in _SUBMODULES:
        return import_module(f"nascore.{name}")
    raise AttributeError(f"module 'nascore' has no attribute {name!r}")
