"""nascore.provenance: one definition of commit, dirty, versions and data hashes."""
import hashlib
import re

from nascore import provenance


def test_commit_label_is_a_sha_with_dirty_suffix_or_unknown():
    label = provenance.commit_label()
    assert label == "unknown" or re.fullmatch(r"[0-9a-f]{40}(-dirty)?", label)
    state = provenance.git_state()
    assert label.startswith(state["commit"]) and label.endswith("-dirty") == state["dirty"]


def test_data_hashes_are_sha256_of_the_bytes(tmp_path):
    path = tmp_path / "table.csv"
    path.write_bytes(b"arch,acc\na,1\n")
    assert provenance.data_hashes([path]) == {str(path.resolve()): hashlib.sha256(b"arch,acc\na,1\n").hexdigest()}


def test_versions_name_python_and_every_package_asked_for():
    versions = provenance.package_versions(("nascore", "no-such-distribution-xyz"))
    assert set(versions) == {"python", "nascore", "no-such-distribution-xyz"}
    assert versions["no-such-distribution-xyz"] == "not installed"
    snap = provenance.snapshot()
    assert set(snap) == {"commit", "date", "machine", "versions"} and "torch" in snap["versions"]
