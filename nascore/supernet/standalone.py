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

Many children are trained alone by the table's job, one stored result per child
(:func:`nascore.tables.nb201_supernet.train_children`).
"""
from __future__ import annotations

import torch

from .. import inputs
from ..training.epochs import fit_epochs
from ..spaces import nb201
from .schedule import learning_rate


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
