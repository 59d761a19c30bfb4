"""Stand-alone training of single children, the reference for "no retraining needed".

BigNAS (Yu et al., ECCV 2020; abstract and Sec. 4) claims that children taken from the
trained single-stage model, with their shared weights and no retraining or fine-tuning,
are as accurate as the same architectures trained alone. To check that at this scale,
:func:`train_child` trains one child as its own ``nb201.Network(arch, C, N)`` from
scratch under the supernet's budget: the same images, augmentation, batch size, number
of epochs and SGD (Nesterov momentum 0.9, peak lr 0.1), with NAS-Bench-201's recipe for
a lone network (cosine schedule, weight decay 5e-4 on conv and linear weights, labels
only; Dong & Yang, ICLR 2020), and evaluates it with its running BN statistics on the
same test images.

:func:`train_children` does this for a list of children, one CSV row per child as soon
as it is done (``arch``, ``standalone_accuracy``, ``seconds``, ``epochs``), skipping rows
already there.
"""
from __future__ import annotations

import csv
import time
from pathlib import Path

import torch

from .. import inputs
from ..training.epochs import fit_epochs
from ..spaces import nb201
from .evaluate import done_archs
from .schedule import learning_rate

COLUMNS = ("arch", "standalone_accuracy", "seconds", "epochs")


def fit(net: torch.nn.Module, images, *, epochs: int, batch_size: int = 256, lr: float = 0.1,
        weight_decay: float = 5e-4, seed: int = 0, device: str = "cpu") -> torch.nn.Module:
    """Train ``net`` (a lone network, already on ``device``) in place with the recipe of
    the module docstring; returned for chaining. The random generator, seeded from
    ``seed``, draws the order of each epoch, then each batch's crops and flips, exactly
    as the supernet trainer draws them (:mod:`.trainer`), which draws nothing else for
    a recipe with ``only_child`` set."""
    decayed = {id(m.weight) for m in net.modules() if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear))}
    params = list(net.parameters())
    optimizer = torch.optim.SGD([{"params": [p for p in params if id(p) in decayed], "weight_decay": weight_decay},
                                 {"params": [p for p in params if id(p) not in decayed], "weight_decay": 0.0}],
                                lr=lr, momentum=0.9, nesterov=True)
    fit_epochs(net, (images[0].to(device), images[1].to(device)),
               inputs.PROTOCOLS["nb201"].replace(batch_size=batch_size), optimizer,
               generator=torch.Generator().manual_seed(seed), epochs=epochs, device=device,
               lr_at=lambda step, total: learning_rate(step, total, lr=lr, schedule="cosine"))
    return net


def train_child(arch: str, images, test, *, C: int, N: int, epochs: int, batch_size: int = 256, lr: float = 0.1,
                weight_decay: float = 5e-4, seed: int = 0, device: str = "cpu") -> float:
    """Test accuracy (percent) of ``arch`` trained alone (see the module docstring)."""
    net = nb201.Network(arch, C=C, N=N, seed=seed).to(device)
    fit(net, images, epochs=epochs, batch_size=batch_size, lr=lr, weight_decay=weight_decay, seed=seed,
        device=device)
    net.eval()
    x_test, y_test = test[0].to(device), test[1].to(device)
    with torch.no_grad():
        correct = sum(int((net(x_test[i:i + 1024]).argmax(1) == y_test[i:i + 1024]).sum())
                      for i in range(0, len(y_test), 1024))
    return 100.0 * correct / len(y_test)


def train_children(archs, out_csv: Path | str, images, test, *, progress_print: bool = True, **options) -> list[dict]:
    """:func:`train_child` for each of ``archs`` not yet in ``out_csv``; rows appended."""
    out_csv = Path(out_csv)
    out_csv.parent.mkdir(parents=True, exist_ok=True)
    todo = [a for a in dict.fromkeys(archs) if a not in done_archs(out_csv, column="standalone_accuracy")]
    fresh = not out_csv.exists() or out_csv.stat().st_size == 0
    rows = []
    with open(out_csv, "a", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        if fresh:
            writer.writeheader()
        for i, arch in enumerate(todo):
            start = time.perf_counter()
            acc = train_child(arch, images, test, **options)
            row = {"arch": arch, "standalone_accuracy": acc, "seconds": time.perf_counter() - start,
                   "epochs": options["epochs"]}
            writer.writerow(row)
            handle.flush()
            rows.append(row)
            if progress_print:
                print(f"stand-alone child {i + 1}/{len(todo)}: {acc:.2f} % in {row['seconds']:.1f} s", flush=True)
    return rows
