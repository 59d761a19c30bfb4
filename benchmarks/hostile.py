"""Try nascore as a hostile user would, and print what happened: case -> expected -> observed.

    python benchmarks/hostile.py            # every case (a few minutes on two cores)
    python benchmarks/hostile.py --only cache   # cases whose name starts with "cache"

Each case works on throw-away copies (a temporary data folder, cache, store or home), never
on the project's own files. The table ends with the count of cases whose observation
matched the expectation; the exit status is 1 if any did not.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from nascore.paths import DATA_DIR  # noqa: E402

CASES = []
NONE_CELL = "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|"
GOOD_CELL = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|"


def case(name, expected):
    def wrap(fn):
        CASES.append((name, expected, fn))
        return fn
    return wrap


def nascore(*argv, env=None, timeout=600, **kw):
    """Run ``python -m nascore.cli ARGV``; (exit status, stdout, stderr)."""
    run = subprocess.run([sys.executable, "-m", "nascore.cli", *argv], capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(REPO), **(env or {})}, timeout=timeout, cwd=REPO, **kw)
    return run.returncode, run.stdout, run.stderr


def one_line(err):
    lines = [line for line in err.splitlines() if line.strip()]
    return lines[-1] if len(lines) == 1 else f"{len(lines)} lines: {lines[-1] if lines else ''}"


# ----------------------------------------------------------------------------- shipped data
def _damaged_copy(tmp, folder, damage):
    data = tmp / "data"
    for other in DATA_DIR.iterdir():
        if other.is_dir():
            shutil.copytree(other, data / other.name)
    target = damage(data / folder)
    return data, target


def _flip(path):
    raw = bytearray(path.read_bytes())
    raw[len(raw) // 2] ^= 0x01
    path.write_bytes(bytes(raw))
    return path


def _largest(folder):
    from nascore.manifest import listed_files

    return max(listed_files(folder), key=lambda p: p.stat().st_size)


for _folder in sorted(p.name for p in DATA_DIR.iterdir() if p.is_dir()):
    def _check(tmp, folder=_folder):
        from nascore.manifest import DataIntegrityError, verify

        data, target = _damaged_copy(tmp, folder, lambda f: _flip(_largest(f)))
        try:
            verify(target)
        except DataIntegrityError as error:
            return "refused: " + str(error)[:110], str(target) in str(error)
        return "accepted the damaged file", False
    case(f"data: one byte flipped in the largest file of {_folder}/", "refused, file named, both hashes")(_check)


def _replace_once(name, old, new):
    """A damage: the first ``old`` in file ``name`` of the folder becomes ``new``."""
    def edit(folder):
        path = folder / name
        path.write_text(path.read_text().replace(old, new, 1))
        return path
    return edit


@case("data: scores.csv 72.57 -> 92.57, CIFAR-scores loader", "exit 3, one line naming scores.csv")
def _scores_edit(tmp):
    data, _ = _damaged_copy(tmp, "nb201-cifar-scores", _replace_once("scores.csv", "72.57", "92.57"))
    code, _, err = nascore("search", "training_free", "--table", "nb201-cifar-scores", "--score", "naswot",
                           "--budget", "5", "--seeds", "0", "1", env={"NASCORE_DATA": str(data),
                                                                       "NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {one_line(err)[:110]}", code == 3 and "scores.csv" in err and len(err.strip().splitlines()) == 1


@case("data: zc_nasbench201.json 86.06 -> 96.06, search evolution", "exit 3 before any search")
def _zc_edit(tmp):
    data, _ = _damaged_copy(tmp, "nasbench201-zc", _replace_once("zc_nasbench201.json", "86.06", "96.06"))
    code, out, err = nascore("search", "evolution", "--budget", "20", "--seeds", "0", "1",
                             env={"NASCORE_DATA": str(data), "NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {one_line(err)[:110]}", code == 3 and "mean best" not in out


@case("data: scores.csv truncated to two thirds", "exit 3, size named")
def _truncated(tmp):
    def cut(folder):
        path = folder / "scores.csv"
        path.write_bytes(path.read_bytes()[: path.stat().st_size * 2 // 3])
        return path
    data, _ = _damaged_copy(tmp, "nb201-cifar-scores", cut)
    code, _, err = nascore("search", "random", "--table", "nb201-cifar-scores", "--budget", "5", "--seeds", "0", "1",
                           env={"NASCORE_DATA": str(data), "NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {one_line(err)[:110]}", code == 3 and "bytes" in err


@case("data: 'cat' and 'dog' swapped in class_names.json", "refused before any image is labelled")
def _labels(tmp):
    def swap(folder):
        path = folder / "class_names.json"
        names = json.loads(path.read_text())
        ten = names["cifar10"]
        i, j = ten.index("cat"), ten.index("dog")
        ten[i], ten[j] = ten[j], ten[i]
        path.write_text(json.dumps(names))
        return path
    data, _ = _damaged_copy(tmp, "cifar", swap)
    code, _, err = nascore("score", "naswot", "--dataset", "cifar10", "--arch", GOOD_CELL,
                           env={"NASCORE_DATA": str(data), "NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {one_line(err)[:110]}", code == 3 and "class_names.json" in err


@case("data: nb201_zen.zip damaged", "exit 3, no BadZipFile traceback")
def _zip(tmp):
    data, _ = _damaged_copy(tmp, "nasbench201-full", lambda f: _flip(f / "nb201_zen.zip"))
    code, _, err = nascore("search", "random", "--table", "nb201", "--budget", "5", "--seeds", "0", "1",
                           env={"NASCORE_DATA": str(data), "NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {one_line(err)[:110]}", code == 3 and "Traceback" not in err


# ----------------------------------------------------------------------------- the cache
def _home(tmp):
    home = tmp / "home"
    for name in (".ssh", "Documents", "projects"):
        (home / name).mkdir(parents=True)
        (home / name / "keep.txt").write_text(name)
    return home


def _kept(home):
    return all((home / n / "keep.txt").exists() for n in (".ssh", "Documents", "projects"))


@case("cache: clear --all --yes with NASCORE_CACHE = a home folder", "refused, exit 2, nothing deleted")
def _cache_home(tmp):
    home = _home(tmp)
    code, _, err = nascore("cache", "clear", "--all", "--yes", env={"NASCORE_CACHE": str(home), "HOME": str(home)})
    return f"exit {code}, files kept: {_kept(home)}: {one_line(err)[:90]}", code == 2 and _kept(home)


@case("cache: clear --all --yes with NASCORE_CACHE = a user's project folder", "refused (no marker), nothing deleted")
def _cache_user(tmp):
    home = _home(tmp)
    code, _, err = nascore("cache", "clear", "--all", "--yes",
                           env={"NASCORE_CACHE": str(home / "projects"), "HOME": str(home)})
    return f"exit {code}, files kept: {_kept(home)}: {one_line(err)[:90]}", code == 2 and _kept(home)


@case("cache: clear --all without --yes and without a terminal", "refused, asks for --yes")
def _cache_confirm(tmp):
    from nascore.paths import CACHE_MARKER

    cache = tmp / "cache"
    (cache / "zhu").mkdir(parents=True)
    (cache / CACHE_MARKER).write_text("nascore cache\n")
    code, _, err = nascore("cache", "clear", "--all", env={"NASCORE_CACHE": str(cache)}, stdin=subprocess.DEVNULL)
    return f"exit {code}: {one_line(err)[:90]}", code == 2 and "--yes" in err and (cache / "zhu").exists()


@case("cache: clear zhu zhu", "removed once, exit 0")
def _cache_twice(tmp):
    from nascore.paths import CACHE_MARKER

    cache = tmp / "cache"
    cache.mkdir()
    (cache / CACHE_MARKER).write_text("x")
    (cache / "zhu").mkdir()
    code, out, _ = nascore("cache", "clear", "zhu", "zhu", env={"NASCORE_CACHE": str(cache)})
    return f"exit {code}, {out.count('removed')} removal", code == 0 and out.count("removed") == 1


# ----------------------------------------------------------------------------- the results store
for _poison in ("NaN", "Infinity", '"abc"', "null", "missing"):
    def _store_case(tmp, poison=_poison):
        import warnings

        from nascore.tables.cifar_ntk import results, store_tables

        store = results.open_store(tmp / "store")
        record = {"kind": "stats", "arch": GOOD_CELL, "dataset": "cifar10", "group": "hnas", "batch": 64, "seed": 0,
                  "repeats": 1, "ntk_trace": 12.5, "hnas_kappa": 300.0, "hnas_lambda_min": 1.0,
                  "hnas_lambda_max": 300.0, "seconds": 1.0}
        key = "ab" * 32
        store.put(key, record)
        path = store.root / key[:2] / f"{key}.json"
        text = path.read_text()
        if poison == "missing":
            envelope = json.loads(text)
            del envelope["record"]["ntk_trace"]
            path.write_text(json.dumps(envelope))
        else:
            path.write_text(text.replace('"ntk_trace": 12.5', f'"ntk_trace": {poison}'))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            frame = store_tables.table(tmp / "store", "cifar10")
        quarantined = len(list((tmp / "store" / "quarantine").glob("*.json")))
        return f"exported rows: {len(frame)}, quarantined: {quarantined}", frame.empty and quarantined == 1
    case(f"store: an NTK record with ntk_trace = {_poison}", "quarantined, not exported")(_store_case)


# ----------------------------------------------------------------------------- the command line
@case("cli: bench cifar-scores --device cuda on a CPU-only torch", "one line, exit 2")
def _cuda(tmp):
    import torch

    if torch.cuda.is_available():
        return "skipped: this machine has CUDA", True
    code, _, err = nascore("bench", "cifar-scores", "--device", "cuda", "--archs", "zc",
                           env={"NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {one_line(err)[:100]}", code == 2 and len(err.strip().splitlines()) == 1


@case("cli: bench cifar-ntk export --store <typo>", "exit 2, no folder created")
def _typo(tmp):
    code, _, err = nascore("bench", "cifar-ntk", "export", "--store", str(tmp / "typo"), "--dest", str(tmp / "out"))
    return f"exit {code}, created: {(tmp / 'typo').exists() or (tmp / 'out').exists()}", \
        code == 2 and not (tmp / "typo").exists() and not (tmp / "out").exists()


@case("cli: search training_free --budget 200", "runs (the default sample grows to the budget)")
def _tf(tmp):
    code, out, err = nascore("search", "training_free", "--score", "nwot", "--budget", "200", "--seeds", "0", "1",
                             env={"NASCORE_CACHE": str(tmp / "c")})
    return f"exit {code}: {(out or err).strip().splitlines()[0][:100]}", code == 0


@case("cli: score lga naswot on an all-none cell and a normal one", "both rows, nan + a note for the none cell")
def _score(tmp):
    code, out, err = nascore("score", "lga", "naswot", "--arch", NONE_CELL, "--arch", GOOD_CELL,
                             env={"NASCORE_CACHE": str(tmp / "c")})
    rows = [line for line in out.splitlines() if line.startswith("|")]
    return f"exit {code}, {len(rows)} rows, notes: {err.count('note')}", code == 0 and len(rows) == 2


@case("cli: score --help names every shipped dataset", "digits, mnist5k, cifar10, cifar100")
def _help(tmp):
    _, out, _ = nascore("score", "--help")
    flat = " ".join(out.split())
    return flat[flat.find("--dataset"):][:90], all(d in flat for d in ("mnist5k", "cifar10", "cifar100"))


@case("api: bench.load('mixed-mnist5k', dataset='cifar10')", "refused, naming mnist5k")
def _mixed(tmp):
    from nascore import bench

    try:
        bench.load("mixed-mnist5k", dataset="cifar10")
    except ValueError as error:
        return f"refused: {error}", "mnist5k" in str(error)
    return "returned the MNIST table", False


# ----------------------------------------------------------------------------- chapters
def _project_copy(tmp):
    """A throw-away copy of the project (code, notebooks, book sources, data): the chapter
    cases never touch this checkout's book."""
    root = tmp / "project"
    skip = shutil.ignore_patterns("_build", "chapters", "generated", "_mathjax", "__pycache__", "*.egg-info")
    for name in ("nascore", "notebooks", "book", "data"):
        shutil.copytree(REPO / name, root / name, ignore=skip)
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


def _reproduce(root, tmp, *argv):
    env = {**os.environ, "PYTHONPATH": str(root), "NASCORE_CACHE": str(tmp / "cache")}
    return subprocess.Popen([sys.executable, "-m", "nascore.cli", "reproduce", "--quick", *argv], cwd=root, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _descendants(pid):
    """Pids of processes whose parent chain reaches ``pid`` (via /proc)."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                parents[int(entry.name)] = int(fields[1])
            except (OSError, IndexError, ValueError):
                continue
    out = set()
    for child in parents:
        p = child
        while p in parents and p not in (0, 1):
            p = parents[p]
            if p == pid:
                out.add(child)
                break
    return out


def _kernel_started(root, name, timeout=300):
    """Wait until the chapter's kernel is running (its run-private folder exists)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if list((root / "book" / "_build" / "runs").glob(f"{name}.*")):
            return True
        time.sleep(0.2)
    return False


@case("reproduce: SIGINT mid-chapter (40_zhu)", "exit 130 within 10 s, no kernel left")
def _sigint(tmp):
    root = _project_copy(tmp)
    process = _reproduce(root, tmp, "--only", "40_zhu", "--no-build")
    if not _kernel_started(root, "40_zhu"):
        process.kill()
        return "the chapter never started", False
    time.sleep(5)  # well into the chapter's first cells
    children = _descendants(process.pid)
    start = time.monotonic()
    os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        return "still running 60 s after SIGINT", False
    took = time.monotonic() - start
    time.sleep(1)
    left = [p for p in children if Path(f"/proc/{p}").exists()]
    return f"exit {process.returncode} after {took:.1f} s, {len(left)} child process(es) left", \
        process.returncode == 130 and took < 10 and not left


@case("reproduce: SIGKILL mid-chapter, then another run", "chapter marked 'killed at', ledger keeps its claims")
def _sigkill(tmp):
    root = _project_copy(tmp)
    first = _reproduce(root, tmp, "--only", "10_nb201_table", "--no-build")
    first.wait(timeout=900)
    process = _reproduce(root, tmp, "--only", "10_nb201_table", "--no-build")
    if not _kernel_started(root, "10_nb201_table"):
        process.kill()
        return "the chapter never started", False
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    again = _reproduce(root, tmp, "--only", "00_overview", "--no-build")
    again.wait(timeout=900)
    record = json.loads((root / "book" / "generated" / "provenance.json").read_text())["notebooks"]
    text = json.dumps(next((v for k, v in record.items() if "nb201_table" in k), {}))
    claims = list((root / "book" / "generated" / "claims").glob("*nb201_table*"))
    marked = '"status": "killed"' in text
    return f"first exit {first.returncode}; last attempt recorded as killed: {marked}; claims kept: {len(claims)} file", \
        first.returncode == 0 and marked and bool(claims)


@case("reproduce: two runs of one chapter 4 s apart", "both exit 0, the box lists the data read")
def _concurrent(tmp):
    root = _project_copy(tmp)
    a = _reproduce(root, tmp, "--only", "10_nb201_table", "--no-build")
    time.sleep(4)
    b = _reproduce(root, tmp, "--only", "10_nb201_table", "--no-build")
    codes = (a.wait(timeout=900), b.wait(timeout=900))
    record = json.loads((root / "book" / "generated" / "provenance.json").read_text())["notebooks"]
    entry = next((v for k, v in record.items() if "nb201_table" in k), {})
    reads = len(entry.get("data_read", []))
    return f"exits {codes}, data files named in the record: {reads}", codes == (0, 0) and reads > 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[], help="run the cases whose name starts with one of these")
    args = parser.parse_args(argv)
    chosen = [c for c in CASES if not args.only or any(c[0].startswith(o) for o in args.only)]
    print("| case | expected | observed | ok |\n|---|---|---|---|", flush=True)
    good = 0
    for name, expected, fn in chosen:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                observed, ok = fn(Path(tmp))
            except Exception as error:  # a case that crashes is a finding, not the end of the list
                observed, ok = f"crashed: {type(error).__name__}: {error}"[:140], False
        good += bool(ok)
        print(f"| {name} | {expected} | {str(observed).replace('|', '/')} | {'ok' if ok else 'FAILED'} |", flush=True)
    print(f"\n{good} of {len(chosen)} cases as expected")
    return 0 if good == len(chosen) else 1


if __name__ == "__main__":
    raise SystemExit(main())
