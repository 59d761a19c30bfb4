"""``nascore bench train`` options, errors, and an end-to-end export."""
import argparse

import pandas as pd
import pytest

from nascore import bench
from nascore.bench import agreement, tables
from nascore.cli import bench as train_cli


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as stop:
        train_cli.main(["--help"])
    assert stop.value.code == 0
    text = capsys.readouterr().out
    parser = argparse.ArgumentParser()
    train_cli.add_arguments(parser)
    for action in parser._actions:
        assert action.help, f"{action.option_strings} has no help"
        for flag in action.option_strings:
            assert flag in text


@pytest.mark.parametrize("argv, message", [
    (["--n", "2", "--dataset", "cifar10"], "invalid choice: 'cifar10' (choose from mnist5k, digits)"),
    (["--n", "0"], "expected a positive integer, got '0'"),
    (["--n", "2", "--space", "nb201"], "invalid choice: 'nb201'"),
    (["--n", "99999", "--hidden-layers", "2"], "n must be an integer in 1..98 for this space, got 99999"),
    (["--n", "2", "--lr", "-1"], "argument --lr: expected a finite positive number, got '-1'"),
    (["--n", "2", "--lr", "inf"], "argument --lr: expected a finite positive number, got 'inf'"),
    (["--n", "2", "--lr", "1e300"], "lr must be a finite positive number (at most 3.403e+38, the largest float32)"),
])
def test_bad_options_are_named(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        train_cli.main(argv)
    assert stop.value.code == 2
    assert message in capsys.readouterr().err.replace("'mnist5k', 'digits'", "mnist5k, digits")


def test_run_exports_a_table_with_provenance(tmp_path, monkeypatch):
    argv = ["--dataset", "digits", "--n", "3", "--seeds", "2", "--hidden-layers", "2",
            "--width", "8", "--epochs", "2", "--no-progress", "--store", str(tmp_path / "store"),
            "--out", str(tmp_path / "data" / "mixed-digits")]
    assert train_cli.main(argv) == 0
    monkeypatch.setattr(tables, "DATA_DIR", tmp_path / "data")
    table = bench.load_mixed("digits")
    assert len(table) == 6 and sorted(table["seed"].unique()) == [0, 1]
    assert {"arch", "acc_e1", "acc_e2", "acc_final", "train_loss", "seconds"} <= set(table.columns)
    assert (table["acc_final"] == table["acc_e2"]).all()
    readme = (tmp_path / "data" / "mixed-digits" / "README.md").read_text()
    for needle in ("commit:", "date:", "machine:", "time taken:", "lr=8.0", "Kendall tau"):
        assert needle in readme
    with pytest.raises(ValueError, match="no shipped mixed-space table for dataset 'mnist'"):
        bench.load_mixed("mnist")


def test_seed_agreement_is_kendall_tau_between_seeds():
    frame = pd.DataFrame({"arch": list("abcd") * 2, "seed": [0] * 4 + [1] * 4,
                          "acc_final": [0.1, 0.2, 0.3, 0.4, 0.1, 0.2, 0.4, 0.3]})
    # 6 pairs, one discordant (c, d): tau = (5 - 1) / 6
    assert agreement.seed_agreement(frame) == pytest.approx(4 / 6)


def test_the_readme_records_the_whole_command_as_run_through_nascore(tmp_path):
    import re
    import shlex

    from nascore.cli import build_parser, main

    argv = ["bench", "train", "--dataset", "digits", "--n", "2", "--seeds", "1", "--hidden-layers", "2",
            "--width", "8", "--epochs", "1", "--lr", "2.5", "--sequential", "--no-progress",
            "--store", str(tmp_path / "store"), "--out", str(tmp_path / "table")]
    assert main(argv) == 0
    readme = (tmp_path / "table" / "README.md").read_text()
    command = re.search(r"^- command: `(.*)`$", readme, re.M).group(1)
    words = shlex.split(command)
    assert words[:3] == ["nascore", "bench", "train"]
    for option in ("--n 2", "--seeds 1", "--dataset digits", "--width 8", "--epochs 1", "--lr 2.5",
                   "--batch-size 128", "--sequential", f"--out {tmp_path / 'table'}"):
        assert option in command, option
    assert "--no-progress" not in command  # it changes only the terminal
    # the recorded line runs the same job: it parses to the same options
    ran, recorded = build_parser().parse_args(argv), build_parser().parse_args(words[1:])
    assert {k: v for k, v in vars(recorded).items() if k != "no_progress"} == \
           {k: v for k, v in vars(ran).items() if k != "no_progress"}
