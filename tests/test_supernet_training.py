"""Supernet training runs: checkpoints, resuming after a stop or a kill, BN recalibration,
child evaluation to CSV, whole runs through the command line and the shipped table."""
import os
import signal
import subprocess
import sys
import time

import pandas as pd
import pytest
import torch
from torch.nn import functional as F

from nascore.paths import REPO_ROOT
from nascore.spaces import nb201
from nascore.supernet import checkpoint
from nascore.supernet.evaluate import accuracy, recalibrate
from nascore.tables.nb201_supernet import evaluate_children
from nascore.supernet.network import Supernet, copy_child_into
from nascore.supernet.recipe import Recipe
from nascore.supernet.trainer import load_supernet, train

torch.set_num_threads(1)


def main(argv):
    """``nascore supernet ARGV...``, in this process."""
    from nascore import cli

    return cli.main(["supernet", *argv])

TINY = dict(C=2, N=1, epochs=3, batch_size=16)


def _images(n=40, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 3, 12, 12, generator=g), torch.randint(0, 10, (n,), generator=g)


def _same_state(a, b):
    return all(torch.equal(a[k], b[k]) for k in a) and a.keys() == b.keys()


# -- checkpoints and resuming ---------------------------------------------------------------
def test_checkpoint_round_trip_and_stale_temporaries(tmp_path):
    (tmp_path / ".checkpoint-dead.tmp").write_bytes(b"torn")
    checkpoint.save(tmp_path, {"epoch": 3, "w": torch.arange(4)})
    assert not list(tmp_path.glob("*.tmp"))
    state = checkpoint.load(tmp_path)
    assert state["epoch"] == 3 and torch.equal(state["w"], torch.arange(4))
    assert checkpoint.load(tmp_path / "none") is None


def test_a_stopped_run_resumes_to_the_uninterrupted_weights(tmp_path):
    recipe = Recipe(**TINY)
    images = _images()
    whole = train(tmp_path / "whole", recipe, images=images, progress=False)
    part = train(tmp_path / "part", recipe, images=images, progress=False, stop_after=1)
    assert part["epochs_done"] == 1 and whole["epochs_done"] == 3
    rest = train(tmp_path / "part", recipe, images=images, progress=False)
    assert rest["epochs_done"] == 3 and len(rest["log"]) == 3
    a, _, _ = load_supernet(tmp_path / "whole")
    b, _, _ = load_supernet(tmp_path / "part")
    assert _same_state(a.state_dict(), b.state_dict())
    assert [r["teacher_loss"] for r in whole["log"]] == [r["teacher_loss"] for r in rest["log"]]
    assert (tmp_path / "part" / "train_log.csv").exists()


def test_a_run_directory_refuses_another_recipe(tmp_path):
    train(tmp_path, Recipe(**TINY), images=_images(), progress=False, stop_after=1)
    with pytest.raises(ValueError, match="another recipe"):
        train(tmp_path, Recipe(**{**TINY, "seed": 1}), images=_images(), progress=False)


def _cli_train(run_dir, epochs):
    return [sys.executable, "-m", "nascore.cli", "supernet", "train", "--run-dir", str(run_dir), "-C", "2", "-N", "1",
            "--epochs", str(epochs), "--batch-size", "16", "--train-images", "48", "--threads", "1", "--no-progress"]


def test_a_killed_process_resumes_to_the_same_weights(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    subprocess.run(_cli_train(tmp_path / "whole", 4), check=True, env=env, capture_output=True)
    proc = subprocess.Popen(_cli_train(tmp_path / "killed", 4), env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while checkpoint.load(tmp_path / "killed") is None and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    state = checkpoint.load(tmp_path / "killed")
    assert state is not None and state["epoch"] < 4, "the run finished before it could be killed"
    subprocess.run(_cli_train(tmp_path / "killed", 4), check=True, env=env, capture_output=True)
    a, _, info = load_supernet(tmp_path / "whole")
    b, _, _ = load_supernet(tmp_path / "killed")
    assert info["epoch"] == 4 and _same_state(a.state_dict(), b.state_dict())


# -- evaluation -----------------------------------------------------------------------------
def test_recalibration_gives_the_child_its_own_batch_statistics():
    net = Supernet(C=2, N=1, seed=0)
    calibration = torch.randn(24, 3, 8, 8, generator=torch.Generator().manual_seed(0))
    recalibrate(net, "|nor_conv_3x3~0|+|none~0|none~1|+|none~0|none~1|nor_conv_1x1~2|", calibration, batch_size=8)
    # Independent route for the stem BN: its input is the stem convolution's output; the
    # running mean is the mean of the three batch means, the variance the mean of the
    # three unbiased batch variances.
    conv_out = F.conv2d(calibration, net.stem[0].weight, padding=1)
    batches = conv_out.split(8)
    mean = torch.stack([b.mean(dim=(0, 2, 3)) for b in batches]).mean(0)
    var = torch.stack([b.transpose(0, 1).reshape(2, -1).var(dim=1) for b in batches]).mean(0)
    bn = net.stem[1]
    assert torch.allclose(bn.running_mean, mean, atol=1e-5) and torch.allclose(bn.running_var, var, atol=1e-5)
    assert bn.momentum == 0.1 and not net.training


def test_child_accuracy_matches_the_stand_alone_network():
    net = Supernet(C=2, N=1, seed=0)
    calibration, (x, y) = torch.randn(16, 3, 8, 8), _images(30)
    arch = "|nor_conv_3x3~0|+|skip_connect~0|avg_pool_3x3~1|+|none~0|nor_conv_1x1~1|nor_conv_3x3~2|"
    recalibrate(net, arch, calibration)
    stand_alone = copy_child_into(net, arch, nb201.Network(arch, C=2, N=1)).eval()
    expected = 100.0 * float((stand_alone(x).argmax(1) == y).float().mean())
    assert accuracy(net, arch, x, y, batch_size=7) == pytest.approx(expected)


def test_evaluation_appends_rows_and_skips_finished_children(tmp_path):
    net = Supernet(C=2, N=1, seed=0)
    calibration, (x, y) = torch.randn(8, 3, 8, 8), _images(10)
    archs = nb201.sample(4, seed=0)
    out = tmp_path / "children.csv"
    first = evaluate_children(net, archs[:3], calibration, x, y, out, progress=False)
    again = evaluate_children(net, archs + archs[:1], calibration, x, y, out, progress=False)
    table = pd.read_csv(out)
    assert len(first) == 3 and [r["arch"] for r in again] == [archs[3]]
    assert list(table.arch) == archs and table.supernet_accuracy.between(0, 100).all()


# -- whole runs, collect, table -------------------------------------------------------------
def test_run_collect_and_table_through_the_command_line(tmp_path, capsys):
    work, out, table = tmp_path / "work", tmp_path / "out", tmp_path / "table"
    for variant in ("full", "neither"):
        assert main(["run", "--work", str(work), "--variant", variant, "--epochs", "1", "-C", "2", "-N", "1",
                     "--train-images", "32", "--batch-size", "16", "--children", "zc:2", "sample:2",
                     "--calibration-images", "16", "--test-images", "40", "--cost-steps", "1",
                     "--threads", "1", "--no-progress"]) == 0
    assert main(["collect", "--work", str(work), "--out", str(out)]) == 0
    children = pd.read_csv(out / "children.csv")
    assert len(children) == 8 and set(children.variant) == {"full", "neither"}
    assert main(["table", "--collected", str(out), "--to", str(table), "--provisional", "--command", "tiny"]) == 0
    results = pd.read_csv(table / "results.csv")
    assert list(results.columns[:4]) == ["arch", "variant", "supernet_seed", "supernet_accuracy"]
    assert not results.duplicated(["arch", "variant", "supernet_seed"]).any()
    from nascore.supernet.table import load_runs

    runs = load_runs(table)
    assert len(runs) == 2 and runs.provisional.all() and (runs.step_ratio > 0).all()
    assert "PROVISIONAL" in (table / "README.md").read_text()


def test_command_line_help_and_bad_values(capsys):
    assert main(["--help"]) == 0  # the top-level CLI turns argparse's exit into a return code
    text = capsys.readouterr().out
    assert all(word in text for word in ("train", "evaluate", "run", "collect", "table", "sample:N"))
    assert main(["train", "--run-dir", "/tmp/x", "--variant", "half"]) == 2
    assert "unknown variant 'half'" in capsys.readouterr().err
    assert main(["run", "--help"]) == 0 and "--epochs" in capsys.readouterr().out


@pytest.mark.parametrize("device, message", [("tpu", "unknown device 'tpu'; allowed: cpu, cuda, cuda:N"),
                                             ("cuda:99", "--device cuda:99: ")])
def test_a_device_this_machine_cannot_use_is_one_line_before_any_work(tmp_path, capsys, device, message):
    for command in (["run", "--work", str(tmp_path / "w")], ["train", "--run-dir", str(tmp_path / "r")],
                    ["standalone", "--work", str(tmp_path / "s")], ["curve", "--work", str(tmp_path / "c")],
                    ["evaluate", "--run-dir", str(tmp_path / "r")]):
        assert main([*command, "--device", device]) == 2
        err = capsys.readouterr().err
        assert err.startswith("nascore: error: ") and message in err and err.count("\n") == 1
    assert not any(tmp_path.iterdir())  # refused before anything was written


# -- epochs from a time budget --------------------------------------------------------------
def test_plan_epochs_keeps_the_evaluation_and_a_minimum_of_training():
    from nascore.supernet.budget import plan_epochs

    fast = plan_epochs(step_seconds=0.1, eval_seconds=0.01, children=1000, steps_per_epoch=40, seconds_left=300)
    assert fast["epochs"] == 57  # (300 - 10 - 1.2 * 10) / (1.2 * 0.1 * 40) = 57.9
    # evaluation would take everything: training keeps 40 % of the 290 s
    slow = plan_epochs(step_seconds=0.1, eval_seconds=1.0, children=1000, steps_per_epoch=40, seconds_left=300)
    assert slow["train_budget"] == pytest.approx(116) and slow["epochs"] == 24
    assert plan_epochs(step_seconds=10, eval_seconds=0, children=0, steps_per_epoch=40, seconds_left=60)["epochs"] == 1
    assert plan_epochs(step_seconds=1e-4, eval_seconds=0, children=0, steps_per_epoch=1, seconds_left=60,
                       max_epochs=30)["epochs"] == 30
    assert plan_epochs(step_seconds=1, eval_seconds=0, children=0, steps_per_epoch=1, seconds_left=-5)["epochs"] == 1
    with pytest.raises(ValueError, match="positive"):
        plan_epochs(step_seconds=0, eval_seconds=0, children=0, steps_per_epoch=1, seconds_left=1)


def test_peers_agree_on_the_slowest_probe(tmp_path):
    from nascore.supernet import budget

    budget.share(tmp_path, "a", {"step_seconds": 0.1, "eval_seconds": 0.01, "children": 10, "seconds_left": 300})
    budget.share(tmp_path, "b", {"step_seconds": 0.2, "eval_seconds": 0.02, "children": 10, "seconds_left": 200})
    probes = budget.gather(tmp_path, peers=2, timeout=1)
    plan = budget.agreed_epochs(probes, steps_per_epoch=10)
    assert plan["peers_seen"] == 2
    assert plan["epochs"] == budget.plan_epochs(step_seconds=0.2, eval_seconds=0.02, children=10, steps_per_epoch=10,
                                                seconds_left=200)["epochs"]
    assert len(budget.gather(tmp_path, peers=3, timeout=0.1)) == 2  # gives up waiting, keeps what it has
    with pytest.raises(ValueError, match="no probe"):
        budget.agreed_epochs([], 10)


def test_auto_epochs_run_and_stand_alone_children_agree(tmp_path):
    work = tmp_path / "work"
    args = ["--epochs", "auto", "--budget", "60", "--peers", "1", "--max-epochs", "2", "-C", "2", "-N", "1",
            "--train-images", "32", "--batch-size", "16", "--test-images", "40", "--threads", "1", "--no-progress"]
    assert main(["run", "--work", str(work), "--children", "zc:2", "--calibration-images", "16",
                 "--cost-steps", "1"] + args) == 0
    assert main(["standalone", "--work", str(work), "--children", "zcsample:1"] + args) == 0
    recipe = pd.read_json(work / "full-s0" / "recipe.json", typ="series")
    alone = pd.read_csv(next((work / "standalone-s0").glob("*.csv")))
    assert 1 <= recipe["epochs"] <= 2 and list(alone.epochs) == [recipe["epochs"]]
