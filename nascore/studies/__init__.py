"""One module per chapter of the book: the computations its notebook calls.

Studies sit above the library and below the face (``nascore.cli``, ``nascore.reproduce``):
a study may import any library module; no library module imports a study.

- :mod:`.supernet`  weight sharing (BigNAS): ranking, ablations, search at equal cost
"""
