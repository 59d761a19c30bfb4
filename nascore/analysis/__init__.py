"""Shared analyses of shipped tables: library code that several chapters read.

Each module analyses a table under ``data/`` that a ``nascore bench`` job (its code under
:mod:`nascore.tables` or :mod:`nascore.bench`) produced; none imports a study (``tests/test_layers.py``), so any chapter's study or
notebook may use it:

- :mod:`.cifar_after_epoch`: scores after one epoch of training on real CIFAR-10 against NB201 accuracy;
- :mod:`.cifar_ntk_init`: NTK statistics at initialisation on real CIFAR against NB201 accuracy;
- :mod:`.epochs`: correlation of metrics measured along training with final accuracy;
- :mod:`.eigennas_uniform`: EigenNAS-style best-of-N selection on a uniform sample of NB201;
- :mod:`.hnas_cifar`: HNAS and EigenNAS on the real-CIFAR NTK statistics;
- :mod:`.hnas_benchmark`: the zero-cost table joined with the NB201 NTK table as a search benchmark;
- :mod:`.hnas_official`: HNAS's search as its official code runs it;
- :mod:`.reported`: the picks' 200-epoch test accuracy beside a paper's reported number.
"""
