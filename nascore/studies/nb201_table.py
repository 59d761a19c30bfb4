"""The NAS-Bench-201 table chapter (``notebooks/10_nb201_table.ipynb``).

The chapter describes the shipped tables and correlates their zero-cost proxies with
accuracy; everything it needs is library API (:func:`nascore.bench.load`,
:func:`nascore.stats.correlation_table`, :mod:`nascore.claims`, :mod:`nascore.plots`), so
this module holds no computation of its own. It exists so that the chapter's code has an
obvious place to go when it needs one.
"""
