import subprocess
import sys

import pytest

from nascore import cli


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "nascore.cli", *args], capture_output=True, text=True)


def test_help_explains_reproduce():
    result = run_cli("reproduce", "--help")
    assert result.returncode == 0
    assert "--quick" in result.stdout and "--only" in result.stdout and "--jobs" in result.stdout


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
    assert "--jobs must be a positive integer, got 0" in capsys.readouterr().err


def test_list_notebooks(capsys):
    assert cli.main(["reproduce", "--list"]) == 0
    assert "00_overview" in capsys.readouterr().out


def test_quick_and_full_are_exclusive():
    result = run_cli("reproduce", "--quick", "--full")
    assert result.returncode == 2 and "not allowed with" in result.stderr
