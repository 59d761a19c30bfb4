"""Seeds derived from names, so any architecture can be scored alone, in any order, on any worker.

Two rules are in use, each behind a shipped table (changing a table's rule changes its
batches and weights, so that table would have to be rescored):

- ``"sha256"``: the first 15 hex digits (60 bits) of the SHA-256 of the parts written
  with ``str`` and joined by ``|``. The score tables (``data/nb201-cifar-scores``,
  ``-lossless``, ``nb101-cifar-scores``): batches from ``("batch", seed, arch, dataset)``,
  weights from ``("weights", seed, arch)``.
- ``"crc32"``: ``(crc32(arch) + 1,000,003 * seed) mod 2**31`` for the parts
  ``(arch, seed)``. The per-architecture batches of the NTK table ``data/nb201-cifar-ntk``.
"""
from __future__ import annotations

import hashlib
import zlib

RULES = ("sha256", "crc32")


def seed_for(*parts, rule: str) -> int:
    """A non-negative integer seed derived from ``parts`` by ``rule`` (module docstring).

    >>> seed_for("", 0, rule="crc32"), seed_for("", 1, rule="crc32")
    (0, 1000003)
    """
    if rule == "sha256":
        return int(hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:15], 16)
    if rule == "crc32":
        if len(parts) != 2 or not isinstance(parts[0], str) or isinstance(parts[1], bool) \
                or not isinstance(parts[1], int):
            raise ValueError(f"rule 'crc32' takes the parts (arch: str, seed: int), got {parts!r}")
        arch, seed = parts
        return (zlib.crc32(arch.encode()) + 1_000_003 * seed) % (2 ** 31)
    raise ValueError(f"unknown seed rule {rule!r}; allowed: {', '.join(RULES)}")
