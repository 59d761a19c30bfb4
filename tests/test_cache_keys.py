"""Every cache and store key follows the code that computes it (issue: stale results).

Each case edits one dependency file in a temporary copy of the package — the three
files a hand-kept revision once missed — and checks that the key changes, so the cache
misses; an edit to a file outside the computation keeps the key.
"""
import os
import shutil
import subprocess
import sys

import pytest

from nascore.paths import DATA_DIR, REPO_ROOT

KEYS = {
    "metric-score": (
        "from nascore.metrics.table import score_key\n"
        "print(score_key(space='nb201', space_options={}, arch='|skip_connect~0|+|none~0|none~1|+|none~0|none~1|none~2|', "
        "metric='ntk_trace', options={}, seed=0, inputs='ab', targets=None))"),
    "zhu": (
        "import numpy as np\n"
        "from nascore.studies import zhu\n"
        "from nascore.fingerprint import result_key\n"
        "print(result_key('exact', code=('nascore.studies.zhu',), params={'x': 1}))"),
    "trained-mixed": (
        "from nascore.tables import mixed_mnist5k as gt\n"
        "from nascore.training import Protocol\n"
        "print(gt.key_of('digits', gt.MixedSpace(hidden_layers=2, width=8), Protocol(epochs=1, checkpoints=()), 0, 'relu-relu|'))"),
}


@pytest.fixture(scope="module")
def package_copy(tmp_path_factory):
    root = tmp_path_factory.mktemp("copy")
    shutil.copytree(REPO_ROOT / "nascore", root / "nascore", ignore=shutil.ignore_patterns("__pycache__"))
    return root


def _key(root, which):
    env = {**os.environ, "PYTHONPATH": str(root), "NASCORE_DATA": str(DATA_DIR)}
    out = subprocess.run([sys.executable, "-c", KEYS[which]], env=env, capture_output=True, text=True,
                         cwd=root)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize("which, edited, kept", [
    ("metric-score", "nascore/ntk/factored.py", "nascore/studies/zhu.py"),
    ("zhu", "nascore/theory/kernels.py", "nascore/cli/score.py"),
    ("trained-mixed", "nascore/data.py", "nascore/studies/zhu.py"),
    ("trained-mixed", "nascore/training/loop.py", "nascore/reproduce/run.py"),
])
def test_editing_a_dependency_misses_the_cache_and_an_unrelated_edit_does_not(package_copy, which,
                                                                              edited, kept):
    before = _key(package_copy, which)
    assert _key(package_copy, which) == before  # deterministic
    for rel, should_change in ((kept, False), (edited, True)):
        path = package_copy / rel
        original = path.read_text()
        path.write_text(original + "\n# an edit\n")
        try:
            assert (_key(package_copy, which) != before) is should_change, rel
        finally:
            path.write_text(original)


def test_no_hand_bumped_revision_constant_is_left():
    for path in (REPO_ROOT / "nascore").rglob("*.py"):
        text = path.read_text()
        assert "REVISION =" not in text and "REVISION=" not in text, path
