"""What the content-addressed key adds to a cache hit.

Usage: ``python benchmarks/fingerprint.py [--repeats 200]``

A cache hit costs: compute the result's key, then read one small JSON file. The key
hashes the import closure of the computing code (``nascore.fingerprint``), the data
files and the parameters. Measured here, in one process, against the baseline of the
old-style key (a hash of the parameters and a version string only):

- ``first``: the first key of a process (every source file read, parsed and hashed;
  the data file hashed);
- ``warm``: later keys (memoised on each file's mtime and size: one ``stat`` per file);
- ``store read``: reading and checking the stored record itself.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time

from nascore import fingerprint
from nascore.tables.schema import Schema
from nascore.tables.store import ResultStore
from nascore.paths import DATA_DIR

CODE = ["nascore.metrics", "nascore.spaces.nb201", "nascore.data"]
DATA = [DATA_DIR / "cifar" / "cifar10_test_first1017.npz"]
PARAMS = {"arch": "|nor_conv_3x3~0|+|skip_connect~0|none~1|+|avg_pool_3x3~0|nor_conv_1x1~1|none~2|",
          "metric": "ntk_trace", "seed": 0, "batch": 64}


def old_key():
    text = json.dumps({**PARAMS, "nascore": "0.1.0"}, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def new_key():
    return fingerprint.result_key("metric-score", code=CODE, params=PARAMS, data_files=DATA)


def best(fn, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args(argv)
    start = time.perf_counter()
    key = new_key()
    first = time.perf_counter() - start
    warm = best(new_key, args.repeats)
    baseline = best(old_key, args.repeats)
    with tempfile.TemporaryDirectory() as folder:
        store = ResultStore(folder, Schema({"value": float}, finite=("value",)))
        store.put(key, {"value": 1.5})
        read = best(lambda: store.get(key), args.repeats)
    files = len(fingerprint.import_closure(*CODE))
    print(f"import closure: {files} files; data: {DATA[0].name}")
    print(f"first key of a process : {first * 1e3:8.2f} ms")
    print(f"warm key               : {warm * 1e3:8.3f} ms  ({warm / baseline:,.0f}x the old key's "
          f"{baseline * 1e6:.1f} us)")
    print(f"store read (checked)   : {read * 1e3:8.3f} ms")
    print(f"cache hit, warm        : {(warm + read) * 1e3:8.3f} ms")


if __name__ == "__main__":
    main()
