"""Build the NAS-Bench-101 network of every entry of NASLib's table and count its weights.

Usage::

    python benchmarks/nb101_params.py

The tests check the closed form (:func:`nascore.spaces.nb101_network.param_count`) on all
500 entries and the built network on 16 of them; this builds the network of each of the
301 distinct cells once (so of all 500 entries), counts its parameters, and prints how
many entries match the table's ``params`` (millions, 6 decimals) both ways, and the time.
"""
from __future__ import annotations

import time

import torch


def main() -> None:
    torch.set_num_threads(1)
    from nascore.bench import nb101_zc
    from nascore.spaces.nb101_network import Network, param_count

    entries = nb101_zc.entries()
    start = time.perf_counter()
    built = {arch: sum(p.numel() for p in Network(arch).parameters()) for arch in entries.arch.unique()}
    seconds = time.perf_counter() - start
    expected = (entries.params * 1e6).round().astype(int)
    by_network = int((entries.arch.map(built) == expected).sum())
    by_formula = int((entries.arch.map(param_count) == expected).sum())
    print(f"{len(built)} distinct networks built in {seconds:.0f} s (one thread)")
    print(f"built network matches params: {by_network}/{len(entries)} entries; "
          f"closed form: {by_formula}/{len(entries)}")


if __name__ == "__main__":
    main()
