"""Every table export writes, through the one writer (``nascore.tables.export_files``), the
same bytes as its own code did before it: each export below writes a small table into a
tmp folder under a fixed provenance snapshot, and every file it writes has the SHA-256
the export's previous code path wrote (recorded at commit d2b9265, before the writer
existed). Readable checks of what the files hold sit beside each digest."""
from __future__ import annotations

import datetime
import hashlib
import json
import math
import shutil

import pandas as pd
import pytest

from nascore.bench.licence import INTEGRITY
from nascore.paths import DATA_DIR

SNAPSHOT = {"commit": "0123abc", "date": "2026-01-02 03:04 UTC", "machine": "Linux x86_64, 2 CPUs",
            "versions": "python 3.11.0, nascore 0.0, torch 2.0"}
A = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"
B = "|avg_pool_3x3~0|+|nor_conv_1x1~0|none~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_1x1~2|"
C = "|none~0|+|skip_connect~0|nor_conv_1x1~1|+|avg_pool_3x3~0|nor_conv_3x3~1|skip_connect~2|"


@pytest.fixture
def fixed(monkeypatch):
    fix_provenance(monkeypatch)


def fix_provenance(monkeypatch):
    """A fixed provenance snapshot, code digest and clock, so an export's bytes are reproducible."""
    from nascore import provenance
    from nascore.supernet import table as supernet_table
    from nascore.tables import mixed_mnist5k, nb201_mnist5k

    monkeypatch.setattr(provenance, "snapshot", lambda *a, **k: dict(SNAPSHOT))
    for module in (mixed_mnist5k, nb201_mnist5k):
        monkeypatch.setattr(module, "code_digest", lambda *a: "c0de" * 16)

    class Clock(datetime.datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.datetime(2026, 1, 2, 3, 4, tzinfo=tz)

    monkeypatch.setattr(supernet_table, "datetime", Clock)
    # the supernet README prints its runs table with tabulate where installed; the digests
    # were recorded without it
    monkeypatch.setattr(supernet_table, "_has_tabulate", lambda: False)


def _trained_frame(extra: dict) -> pd.DataFrame:
    rows = []
    for seed in (0, 1):
        for i, arch in enumerate((A, B, C)):
            rows.append({"arch": arch, "seed": seed, "acc_e1": 0.1 * i + 0.0123456789 * (seed + 1),
                         "acc_final": 0.3 + 0.2 * i + 0.001 * seed + 1e-9, "train_loss": 1 / (i + 3),
                         **{k: v(i, seed) for k, v in extra.items()}})
    return pd.DataFrame(rows)


def export_conv(folder):
    from nascore.tables import nb201_mnist5k as job

    frame = _trained_frame({"seconds_train": lambda i, s: 10.0 + i, "seconds_probe": lambda i, s: 2.5 * s,
                            "naswot_e0": lambda i, s: math.pi * (i + 1)})
    return job.export(frame, folder, space=job.ConvSpace(), protocol=job.CONV_PROTOCOL, wall_seconds=90.0,
                      command="nascore bench conv-table", notes=["a note"])


def export_mixed(folder):
    from nascore.tables import mixed_mnist5k as job

    frame = _trained_frame({"seconds": lambda i, s: 1.0 / 3 + i, "stack": lambda i, s: 3})
    return job.export(frame, folder, space=job.MixedSpace(), protocol=job.MIXED_PROTOCOL, dataset="digits",
                      wall_seconds=30.0)


def export_cifar_scores(folder):
    from nascore.bench import cifar_protocol, cifar_scores
    from nascore.tables import nb201_cifar_scores as job
    from nascore.tables.nb201_cifar_scores_export import export

    small = cifar_protocol.ScoringProtocol(batch_size=12, C=4, N=1)

    def record(arch, values, errors=None):
        return {"kind": job.KIND, "arch": arch, "dataset": "cifar10", "metrics": sorted(values), "values": values,
                "errors": errors or {}, "seconds": 1.5, "seconds_by_step": {"forward+backward": 0.25},
                "device": "cpu", "torch": "x", "protocol": small.to_dict()}

    store = job.open_store(folder.parent / "store-scores")
    store.put("ab" * 32, record(A, {m: i + 0.125 + 1e-11 for i, m in enumerate(cifar_scores.ZC_METRICS)}))
    store.put("cd" * 32, record(B, {"params": 2.5, "naswot": None}, {"naswot": "-inf: cut-off cell"}))
    return export(job.records_frame(store, small), folder, protocol=small, command="nascore bench cifar-scores")


def export_nb101(folder):
    from nascore.bench.nb101_scores import NB101Protocol
    from nascore.tables import nb101_cifar_scores as job

    order, store = job.job_order(), job.open_store(folder.parent / "store-nb101")
    for position, value in ((0, 1234.5678901234), (5, -0.75)):
        store.put(f"{position:02d}" * 32, {"kind": job.TABLE, "arch": order[position], "dataset": "cifar10",
                                           "metrics": ["naswot", "params"], "values": {"naswot": value, "params": 0.1},
                                           "errors": {}, "seconds": 2.5, "seconds_by_step": {}, "device": "cpu",
                                           "torch": "x", "protocol": NB101Protocol().to_dict()})
    job.export(store, folder, ("naswot", "params"))
    return sorted(folder.iterdir())


def export_nb201_ntk(folder):
    from nascore.bench import nb201_ntk as table
    from nascore.tables import nb201_ntk as job

    store = job.open_store(folder.parent / "store-ntk")
    for i, arch in enumerate(table.arch_order()[:3]):
        store.put_checked(job.key_of("digits32", arch),
                          {"arch": arch, "ntk_trace": 2.0 / 3 + i, "ntk_condition": math.nan if i == 1 else 1e5 / 7,
                           "lambda_min": 0.1, "lambda_max": 4.0, "params": 7 + i, "seconds": 0.5})
    return job.export(store, "digits32", folder, command="nascore bench nb201-ntk digits32", wall_seconds=60.0)


def _zc_naswot_store(folder):
    from nascore.bench import zc_naswot as table
    from nascore.tables import nb201_zc_naswot as job

    lines = table.PATH.read_text().split("\n")
    header = lines[0].split(",")
    store = job.open_store(folder.parent / "store-naswot")
    for line in lines[1:4]:
        record = dict(zip(header, line.split(",")))
        record = {k: (v if k == "arch" else int(v) if k in ("batch_size", "seed") else float(v))
                  for k, v in record.items()}
        store.put_checked(job.key_of(job.Scoring(record["arch"])), record)
    return store


def export_zc_naswot_alone(folder):
    from nascore.tables import nb201_zc_naswot as job

    return job.export(_zc_naswot_store(folder), folder, command="nascore bench zc-naswot")


def export_zc_naswot_shared(folder):
    """Into a folder holding the conv table's README: its line is added above the columns."""
    from nascore.tables import nb201_zc_naswot as job

    folder.mkdir()
    readme = (DATA_DIR / "nb201-mnist5k" / "README.md").read_text().split("\n")
    note = next(i for i, line in enumerate(readme) if line.startswith("- `zc_naswot.csv`"))
    (folder / "README.md").write_text("\n".join(readme[:note] + readme[note + 2:]))
    return job.export(_zc_naswot_store(folder), folder, command="nascore bench zc-naswot")


def export_cifar_ntk_zhu(folder):
    from nascore.tables.cifar_ntk import export
    from nascore.tables.cifar_ntk.results import open_store

    store = open_store(folder.parent / "store-zhu")
    for arch, value in ((A, 0.0123456789012), (B, 1e-7 / 3)):
        record = {"kind": "stats", "arch": arch, "dataset": "cifar10", "group": "zhu", "batch": 16, "seed": 0,
                  "repeats": 1, "ntk_lambda_min": value, "seconds": 2.0, "device": "cpu", "device_name": "x",
                  "torch": "2.10"}
        store.put_checked(hashlib.sha256(repr(sorted(record.items())).encode()).hexdigest(), record)
    export.export_zhu_uniform(folder.parent / "store-zhu", folder)
    return sorted(folder.iterdir())


def export_supernet(folder):
    from nascore.supernet.table import build_table

    collected = folder.parent / "collected"
    collected.mkdir()
    pd.DataFrame({"arch": [A, B, A], "variant": ["full", "full", "full"], "supernet_seed": [0, 0, 0],
                  "supernet_accuracy": [51.1234567, 40.0, 51.1234567], "seconds": [1.0 / 3, 2.0, 1.0 / 3],
                  "children": ["zc", "zc", "sample1000"]}).to_csv(collected / "children.csv", index=False)
    pd.DataFrame({"arch": [A], "standalone_seed": [0], "standalone_accuracy": [60.5],
                  "seconds": [12.25]}).to_csv(collected / "standalone.csv", index=False)
    recipe = {"C": 4, "N": 1, "epochs": 2, "train_images": 500, "batch_size": 64, "momentum": 0.9, "lr": 0.1,
              "schedule": "bignas", "lr_floor": 0.05, "decay_fraction": 0.9, "weight_decay": 5e-5}
    runs = {"full-s0": {"variant": "full", "seed": 0, "recipe": recipe, "epochs_done": 2, "stopped_early": False,
                        "steps_per_epoch": 8, "train_seconds": 100.5,
                        "step_seconds": {"supernet": 0.5, "child": 0.125, "ratio": 4.0},
                        "environment": {"device": "cpu", "torch": "2.0"}, "finished": True}}
    (collected / "runs.json").write_text(json.dumps(runs))
    build_table(collected, folder, command="nascore supernet table", provisional=True)
    return sorted(folder.iterdir())


EXPORTS = {name[len("export_"):]: function for name, function in globals().items() if name.startswith("export_")}
#: file name -> SHA-256 of what each export's code wrote before the shared writer (commit d2b9265).
EXPECTED = {
    "cifar_ntk_zhu": {
        "manifest.json": "f16ff5bc38493ae539acd5cc3a8d432168445a999642cd154daad2f72a296298",
        "zhu_uniform_cifar10.csv": "f4f7883b6136ce4d57f081a884bc28d76338b7d25c9fee767b6adfc24569068c",
    },
    "cifar_scores": {  # 2026-12-03: protocol.json added (listed in the manifest), then its default model field (zero-cost-nas); the README names both
        "README.md": "8d45b741d5ae8a255808bb5844226cda27eaa546ab7a50cf8b75e797e11e5161",
        "manifest.json": "ac2bd803815d848ee5fe48f422216df13c03469f8246aade4f58f143411a2739",
        "protocol.json": "4a5b446a3023d16b3079bf1181fc30212e09787e6f751886f4be9ab99c7a8a2f",
        "scores.csv": "dd38aa47e863b616f2937d54f545b7760ccc37e85b9a6eba352cb607752fe4e3",
    },
    "conv": {
        "README.md": "13c04740b1a074b79e0977b0b55d9837c32afdefc4a18572a700304e758add4e",
        "manifest.json": "7c9c266c165767fca914e62a30abaeb263934d71b26d18c0621ed18360a02329",
        "results.csv": "140bb81ce1d8f1eb96d9c4025ce014f54d9938586c5cf0f7c18538e1df94cee6",
    },
    "mixed": {
        "README.md": "cb36045a30e3b9fec3baef9d7c931a7e4329117b551c08e1c19b2b78f8f1d351",
        "manifest.json": "fcfdc37dde5912a845dd1488c87559d8f871c076f051b245c4830dd3c28c92b6",
        "results.csv": "fc2dd90575dfeee5a57da057f46a8deb2bb3031d4c22048685571b5a7a4d4e7d",
    },
    "nb101": {
        "manifest.json": "5214d77f9ca4723aff868501ae85ad01cb3cd4daca50424d254ba953c10e4b9f",
        "scores.csv": "4bbb5f65e0edc5766759da66b5818a213298a990c2795917b342da6886e1f1d5",
    },
    "nb201_ntk": {
        "README.md": "d1c9b636a69efde2b041f83735ce8e32ded2cd101f9b73c73f0a252bdfefbf35",
        "manifest.json": "eaf093aa4f7dfe0a967285d83509f9e91ede684315790d646fb0340aeb6c0cee",
        "ntk_digits32.csv": "d9b9bf5b01480d411252757e6ee77b08fcfc7cf419fb7f7d6648089aa125320a",
    },
    "supernet": {
        "README.md": "64e5663248553df3561b4b8316c285447be463da8107071f98a883d8b2cd9075",  # runs table without tabulate
        "manifest.json": "05907583c54cdbac8f6d23feccf54553d943966fc741fcd9d4425d9737a490cc",
        "results.csv": "3aa05c2b788f9e8eedacf9ea16a203f48372fb9a1a058beb9859c1125fdde6ab",
        "runs.csv": "f07728fa16ecdd94ef470d372de3cfaf867c75e0c1887aeac6a7f1160b1448a0",
        "standalone.csv": "0c1aeb4f339134cf9e70a441db640934bd2aa5a07582ce945fbf53dc2102e8a7",
    },
    "zc_naswot_alone": {
        "README.md": "cb27920161eaeb2d0fe3737587308573170e3d5969a16fba1eac31607ba35418",
        "manifest.json": "825d15692d77a0bb17c66efc3ca1be2be474e33dd85995b8b101963134542a3b",
        "zc_naswot.csv": "4932553c4b986e157b1564875f1d19535cfd1dacac12902bb1835d9fcdd3f10c",
    },
    "zc_naswot_shared": {
        "README.md": "922b70bf9f6f3e501f7a4f698c464c25bf4884a21a557a3470d45c9f418a0c10",
        "manifest.json": "825d15692d77a0bb17c66efc3ca1be2be474e33dd85995b8b101963134542a3b",
        "zc_naswot.csv": "4932553c4b986e157b1564875f1d19535cfd1dacac12902bb1835d9fcdd3f10c",
    },
}


#: The pandas release the digests were recorded with (pyproject pins ``pandas>=2.0``: a later
#: release may print a float or a table differently, and the digests then say nothing).
DIGESTS_PANDAS = "3.1."


@pytest.mark.parametrize("name", sorted(EXPORTS))
def test_an_export_writes_the_bytes_its_previous_code_wrote(name, tmp_path, fixed):
    folder = tmp_path / "table"
    paths = EXPORTS[name](folder)
    digests = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}
    assert set(digests) == set(EXPECTED[name])
    assert {p.name for p in paths} <= set(digests) and "manifest.json" in digests
    listed = set(json.loads((folder / "manifest.json").read_text())["files"])
    assert listed == set(digests) - {"manifest.json", "README.md"}
    if "README.md" in digests:
        text = (folder / "README.md").read_text()
        assert text.endswith("\n".join(INTEGRITY)) and text.count("## Integrity") == 1
    if not pd.__version__.startswith(DIGESTS_PANDAS):
        pytest.skip(f"the digests were recorded with pandas {DIGESTS_PANDAS}.x, whose CSV and text "
                    f"formatting this checks; installed: {pd.__version__}")
    assert digests == EXPECTED[name]
