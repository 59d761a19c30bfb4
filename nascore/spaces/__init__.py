"""Search spaces: NAS-Bench-201 cells (:mod:`.nb201`), NAS-Bench-101 cells (:mod:`.nb101`,
their network :mod:`.nb101_network`) and Zhu et al.'s mixed nets (:mod:`.mixed`)."""
from . import mixed, nb101, nb101_network, nb201

__all__ = ["mixed", "nb101", "nb101_network", "nb201"]
