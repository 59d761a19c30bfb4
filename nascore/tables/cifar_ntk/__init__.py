"""The table ``nb201-cifar-ntk``: NTK statistics of NAS-Bench-201 on real CIFAR, each paper's
official conventions (``nascore bench cifar-ntk``; the chapters read it through
:func:`nascore.bench.load` and :mod:`nascore.analysis`). One module per job:

- :mod:`.statistics`: the protocol: groups, networks, batches and the statistics of one cell;
- :mod:`.after_epoch`: LGA, NASWOT and DAS after one epoch of training, the LGA code's protocol;
- :mod:`.architectures`: the architecture sets (LGA's first-1,000 population, the uniform order);
- :mod:`.results`: the results store with its record check, read by kind;
- :mod:`.job`: the units of work, content key, compute and fill (:data:`.job.JOB`);
- :mod:`.store_tables`: the store read as tables (main tables, cost, batch study);
- :mod:`.export`: the CSV files of ``data/nb201-cifar-ntk/``, the one-file exports merged
  into the shipped file.
"""
