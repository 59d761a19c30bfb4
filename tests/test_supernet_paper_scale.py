"""The paper-scale GPU job (issue 25, item 3): its script runs, tiny, on the CPU, so it
cannot rot; a device the machine lacks is refused; the chapter's reader."""
import os
import re
import subprocess
import sys

from nascore.paths import REPO_ROOT
from nascore.supernet import paper_scale

SCRIPT = REPO_ROOT / paper_scale.SCRIPT
#: The tiny check the script's header documents: 1 epoch, C = 2, N = 1, 32 images.
TINY = {"DEVICE": "cpu", "EPOCHS": "1", "WIDTH": "2", "CELLS": "1", "CHILDREN": "zc:3 ends", "STANDALONE": "zc:2",
        "SHARDS": "1", "XSCALE": "--train-images 32 --batch-size 16 --test-images 40",
        "XRUN": "--calibration-images 16 --cost-steps 1"}


def _script(out, **env):
    return subprocess.run(["bash", str(SCRIPT)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "OUT": str(out), "PY": sys.executable, **env})


def test_the_scripts_defaults_are_the_paper_scale():
    text = SCRIPT.read_text()
    defaults = dict(re.findall(r"\$\{([A-Z]+):-([^}]*)\}", text))
    assert (defaults["WIDTH"], defaults["CELLS"], defaults["EPOCHS"]) == ("16", "5", "200") == tuple(
        str(paper_scale.SCALE[k]) for k in ("C", "N", "epochs"))
    assert defaults["CHILDREN"].split() == list(paper_scale.CHILDREN)
    assert defaults["STANDALONE"] == paper_scale.STANDALONE and defaults["DEVICE"] == "cuda"
    assert re.search(r"for v in (.*); do", text).group(1).split() == list(paper_scale.VARIANTS)
    assert all(f'{k}={v}' in text.replace('"', "") for k, v in TINY.items() if " " not in v)  # documented


def test_a_tiny_paper_scale_job_runs_on_the_cpu_and_is_read_by_the_chapter(tmp_path):
    done = _script(tmp_path, **TINY)
    assert done.returncode == 0, done.stdout + done.stderr
    table = tmp_path / "supernet-paper" / "data" / paper_scale.TABLE_DIR.name
    tables = paper_scale.load(table)
    assert set(tables["results"].variant) == set(paper_scale.VARIANTS)
    assert len(tables["results"]) == 4 * 5  # 4 variants x (3 of zc + the 2 ends)
    assert len(tables["standalone"]) == 2 and tables["runs"].finished.all()
    assert paper_scale.status(tables).startswith("4 supernets (C = 2, N = 1, 1 epochs, 32 training images) on cpu")
    assert "paper_scale.load()" in (table / "README.md").read_text()
    # a rerun resumes: tests/test_supernet_curve.py and test_supernet_training.py check that
    # finished runs cost nothing and a killed one ends with the same weights


def test_the_job_refuses_a_device_the_machine_lacks_in_one_line(tmp_path):
    done = _script(tmp_path, **{**TINY, "DEVICE": "cuda:99"})
    assert done.returncode == 1 and "run the same command again" in done.stdout
    assert "nascore: error: --device cuda:99: " in done.stdout
    assert not (tmp_path / "supernet-paper" / "data").exists()


def test_the_chapter_says_how_to_make_an_absent_table(tmp_path):
    assert paper_scale.load(tmp_path) is None
    assert paper_scale.status(None) == ("not run yet — needs a GPU; command: OUT=/some/dir bash "
                                        "data/nb201-supernet/run_gpu.sh, then copy "
                                        "$OUT/supernet-paper/data/nb201-supernet-paper-scale into data/")
