"""Search spaces: NAS-Bench-201 cells (:mod:`.nb201`) and Zhu et al.'s mixed nets (:mod:`.mixed`)."""
from . import mixed, nb201

__all__ = ["mixed", "nb201"]
