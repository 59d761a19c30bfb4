import subprocess
import sys


from nascore import cli


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "nascore.cli", *args], capture_output=True, text=True)


def test_help_explains_reproduce():
    result = run_cli("reproduce", "--help")
    assert result.returncode == 0
    assert "--quick" in result.stdout and "--only" in result.stdout and "--jobs" in result.stdout
    assert "--verbose" in result.stdout and "logs" in result.stdout
    assert "--regenerate" in result.stdout and "papers' sizes" in result.stdout


def test_reproduce_modes_reach_reproduce(monkeypatch):
    from nascore import reproduce

    seen = []
    monkeypatch.setattr(reproduce, "reproduce", lambda **kw: seen.append((kw["quick"], kw["regenerate"])))
    for flags in ([], ["--quick"], ["--full"], ["--regenerate"]):
        assert cli.main(["reproduce", "--no-build", *flags]) == 0
    assert seen == [(False, False), (True, False), (False, False), (False, True)]
    assert run_cli("reproduce", "--quick", "--regenerate").returncode == 2  # one mode at a time


def test_unknown_notebook_is_named_with_the_known_ones(capsys):
    assert cli.main(["reproduce", "--only", "nosuchchapter", "--no-build"]) == 2
    err = capsys.readouterr().err
    assert "unknown notebook 'nosuchchapter'" in err and "10_nb201_table" in err


def test_unknown_flag_fails_with_usage():
    result = run_cli("reproduce", "--fast")
    assert result.returncode == 2
    assert "unrecognized arguments: --fast" in result.stderr


def test_bad_jobs(capsys):
    assert cli.main(["reproduce", "--jobs", "0", "--no-build"]) == 2
    assert "argument --jobs: expected a positive integer, got '0'" in capsys.readouterr().err


def test_list_notebooks(capsys):
    assert cli.main(["reproduce", "--list"]) == 0
    assert "00_overview" in capsys.readouterr().out


def test_quick_and_full_are_exclusive():
    result = run_cli("reproduce", "--quick", "--full")
    assert result.returncode == 2 and "not allowed with" in result.stderr


def test_score_prints_a_value_per_metric(capsys):
    arch = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|"
    assert cli.main(["score", "naswot", "params", "--arch", arch, "--batch", "20"]) == 0
    header, row = capsys.readouterr().out.strip().splitlines()
    assert header.split("\t") == ["arch", "naswot", "params"]
    name, naswot, params = row.split("\t")
    assert name == arch and float(naswot) > 0 and 0 < float(params) < 1


def test_search_prints_the_picks_test_accuracy_on_the_three_datasets(capsys):
    from nascore import bench, search

    assert cli.main(["search", "random", "--budget", "5", "--seeds", "3", "--dataset", "cifar100"]) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    pick = search.run("random", search.tables.benchmark("nb201-zc", "cifar100"), budget=5, seed=3).best_arch
    expected = [bench.nb201_accuracies(d).set_index("arch").test_accuracy[pick] for d in bench.DATASETS]
    assert line == ("the picks' 200-epoch test accuracy (NAS-Bench-201): cifar10 {:.2f} %; "
                    "cifar100 (searched) {:.2f} %; ImageNet16-120 {:.2f} %".format(*expected))


def test_score_rejects_unknown_metric(capsys):
    assert cli.main(["score", "accuracy"]) == 2
    assert "unknown metric(s) 'accuracy'; available:" in capsys.readouterr().err


def test_search_summarises_seeds(capsys):
    assert cli.main(["search", "random", "--budget", "5", "--seeds", "0", "1"]) == 0
    out = capsys.readouterr().out
    assert "random on nb201-zc/cifar10, 5 queries, 2 seeds: mean best validation accuracy" in out
    assert "the picks' 200-epoch test accuracy (NAS-Bench-201, mean ± std over seeds): cifar10 (searched) " in out
    assert cli.main(["search", "annealing"]) == 2
    assert "invalid choice: 'annealing' (choose from 'bo', 'evolution'" in capsys.readouterr().err
