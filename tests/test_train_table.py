import hashlib
import json
"""The shipped ground-truth table: size, ranges, and the protocol it was trained with."""
from nascore import bench
from nascore.paths import DATA_DIR
from nascore.tables import mixed_mnist5k as gt
from nascore.spaces import mixed


def test_shipped_mixed_table_is_complete_and_matches_the_code_protocol():
    table = bench.load_mixed("mnist5k")
    per_arch = table.groupby("arch")["seed"].nunique()
    assert len(per_arch) >= 500 and per_arch.min() >= 2
    assert table[["acc_e1", "acc_e2", "acc_e5", "acc_final"]].stack().between(0, 1).all()
    # The shipped table was trained when the protocol digest also hashed a hand-kept
    # "revision": 1 (since replaced by code digests in every key); same protocol fields.
    legacy = hashlib.sha256(json.dumps({**gt.MIXED_PROTOCOL.to_dict(), "revision": 1},
                                       sort_keys=True).encode()).hexdigest()[:16]
    assert (table["protocol"] == legacy).all()
    # the architectures are the first of the space's fixed order, so they can be regenerated
    expected = {a.key() for a in gt.MixedSpace().architectures(len(per_arch))}
    assert set(per_arch.index) == expected
    assert all(mixed.from_key(k).key() == k for k in per_arch.index[:5])
    readme = (DATA_DIR / "mixed-mnist5k" / "README.md").read_text()
    assert legacy in readme
