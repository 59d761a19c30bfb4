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


def test_worktree_id_names_the_files_as_they_are(tmp_path, monkeypatch):
    import subprocess

    def git(*args):
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=tmp_path,
                              capture_output=True, text=True, check=True).stdout.strip()

    git("init", "-q")
    (tmp_path / ".gitignore").write_text("build/\n")
    (tmp_path / "a.py").write_text("x = 1\n")
    git("add", "-A")
    git("commit", "-q", "-m", "one")
    monkeypatch.setattr(provenance, "REPO_ROOT", tmp_path)
    head_tree = git("rev-parse", "HEAD^{tree}")
    assert provenance.worktree_id() == head_tree  # clean: the commit's tree
    (tmp_path / "build").mkdir()
    (tmp_path / "build" / "out.txt").write_text("ignored")
    assert provenance.worktree_id() == head_tree
    (tmp_path / "a.py").write_text("x = 2\n")
    edited = provenance.worktree_id()
    (tmp_path / "new.py").write_text("y = 1\n")
    untracked = provenance.worktree_id()
    assert len({head_tree, edited, untracked}) == 3
    (tmp_path / "new.py").unlink()
    assert provenance.worktree_id() == edited  # the same files, the same id
    assert git("status", "--porcelain") == "M a.py"  # the real index was not touched
