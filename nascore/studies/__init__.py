"""One module per chapter of the book: the computations its notebook calls and the tables it owns.

The studies sit above the library (every other ``nascore`` package and module) and below
the face (:mod:`nascore.cli`, :mod:`nascore.reproduce`): a study may import any library
module, no library module imports a study (``tests/test_layers.py``). Each notebook imports
its own study plus the library's public API.

- :mod:`.nb201_table`   the NAS-Bench-201 table chapter (library calls only)
- :mod:`.metrics`       the metrics registry as a table, rank correlations, the NB201 cross-check
- :mod:`.ground_truth`  the two trained ground truths' noise ceiling: seed-to-seed agreement per
  checkpoint (the tables themselves are :mod:`nascore.tables.mixed_mnist5k` and
  :mod:`nascore.tables.nb201_mnist5k`)
- :mod:`.zhu`           Zhu et al.: bounds against exact lambda_min, width sweeps, bound-based search
- :mod:`.hnas`          HNAS: benchmarks with NTK scores, searches, summaries; the NB201 NTK table
- :mod:`.das`           DAS: the two atomic terms, the weight scan and its cross-validation
- :mod:`.lga`           LGA: degenerate kernels, search at equal training cost
- :mod:`.cifar_scores`  our zero-cost proxies on real CIFAR: agreement with NASLib, correlations
  with accuracy beside the published values (the table job is :mod:`nascore.tables.nb201_cifar_scores`)
- :mod:`.supernet`      the BigNAS-style supernet: ranking quality against NB201, ablations, search at equal cost

The tables the studies read are made in the library: the papers' NTK statistics of NB201 on
real CIFAR, for example, by :mod:`nascore.tables.cifar_ntk` (its job, export and 1-epoch training).
"""
