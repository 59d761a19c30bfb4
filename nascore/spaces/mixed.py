"""Zhu et al.'s search space: deep nets with a per-layer activation and searched skips.

Zhu, Liu, Chrysos, Cevher, *Generalization properties of NAS under activation and skip
connection search* (NeurIPS 2022). An architecture of depth ``L`` has ``L - 1`` hidden
layers of equal width ``m``; hidden layer ``l`` picks its activation ``sigma_l`` and, in
the residual family, which earlier hidden layers feed it through a skip connection:

    g_l = (sigma_w / sqrt(m_{l-1})) W_l f_{l-1},        W_l entries ~ N(0, 1)
    f_l = sigma_l(g_l) + alpha * sum_{(i, l) in skips} f_i      (1 <= i < l)
    f(x) = (1 / sqrt(m)) W_L f_{L-1}

(NTK parameterisation, no biases, as in the NTK analyses the paper builds on;
``alpha`` is the residual scale). ``f_0 = x``; the theory assumes ``||x||_2 = 1``.
A fully connected architecture is the one with no skips.
"""
from __future__ import annotations

import itertools
import math
import numbers
import re
from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn import functional as F

from ..messages import short

#: Activations of the search space, by name.
ACTIVATIONS = {
    "relu": F.relu,
    "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "swish": F.silu,
    "gelu": F.gelu,
    "elu": F.elu,
}


#: One skip of a key: ``i>j``, ASCII digits without leading zeros, at most 6 digits each
#: (more than any depth this space is built at; longer numbers are refused, not parsed).
_SKIP = re.compile(r"([1-9][0-9]{0,5})>([1-9][0-9]{0,5})", re.ASCII)


def check_activation(name: str) -> str:
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {short(name)}; allowed: {', '.join(sorted(ACTIVATIONS))}")
    return name


@dataclass(frozen=True)
class Architecture:
    """One point of the space: an activation per hidden layer and a set of skips.

    ``activations[l - 1]`` is the activation of hidden layer ``l`` (1-based, as in the
    paper); a skip ``(i, j)`` adds the output of hidden layer ``i`` to hidden layer ``j``
    (``1 <= i < j <= len(activations)``). ``(j - 1, j)`` is a ResNet-style skip; longer
    ones are the paper's deep (DenseNet-like) skips.

    >>> Architecture(("relu", "tanh"), skips=((1, 2),)).key()
    'relu-tanh|1>2'
    """

    activations: tuple[str, ...]
    skips: tuple[tuple[int, int], ...] = field(default=())

    def __post_init__(self):
        acts = tuple(self.activations)
        if not acts:
            raise ValueError("an architecture needs at least one hidden layer")
        for name in acts:
            check_activation(name)
        hidden = len(acts)
        skips = tuple(sorted({(int(i), int(j)) for i, j in self.skips}))
        for i, j in skips:
            if not 1 <= i < j <= hidden:
                raise ValueError(
                    f"bad skip ({i}, {j}) for {hidden} hidden layers: need 1 <= i < j <= {hidden}"
                )
        object.__setattr__(self, "activations", acts)
        object.__setattr__(self, "skips", skips)

    @property
    def depth(self) -> int:
        """``L``: hidden layers plus the output layer."""
        return len(self.activations) + 1

    @property
    def residual(self) -> bool:
        return bool(self.skips)

    def key(self) -> str:
        """A stable, readable string naming the architecture (inverse: :func:`from_key`)."""
        skips = ",".join(f"{i}>{j}" for i, j in self.skips)
        return "-".join(self.activations) + "|" + skips

    def build(self, input_dim: int, width: int = 256, num_classes: int = 1, *,
              residual_scale: float = 1.0, weight_scale: float = 1.0,
              seed: int | None = None) -> "MixedNet":
        """The network, initialised from ``seed`` (or the global generator if ``None``)."""
        return MixedNet(self, input_dim, width, num_classes, residual_scale=residual_scale,
                        weight_scale=weight_scale, seed=seed)


def from_key(key: str) -> Architecture:
    """Inverse of :meth:`Architecture.key`; only the canonical spelling is accepted.

    Canonical: activations joined by ``-``, one ``|``, then the skips as ``i>j`` in
    increasing order joined by ``,``, each index in ASCII digits without leading zeros
    (so ``"relu-tanh|1>2"``, never ``"relu-tanh"``, ``"relu-tanh|01>2"`` or ``"relu-tanh|1>²"``):
    one architecture, one key.

    >>> from_key("relu-tanh|1>2").skips
    ((1, 2),)
    """
    if not isinstance(key, str):
        raise ValueError(f"architecture key must be a str, got {type(key).__name__}")
    acts, bar, skips = key.partition("|")
    if not bar:
        raise ValueError(f"bad architecture key {short(key)}: expected 'activations|skips', "
                         f"like 'relu-tanh|1>2' or 'relu-tanh|' (no skips)")
    names = tuple(acts.split("-"))
    for name in names:
        check_activation(name)
    pairs = []
    for item in skips.split(",") if skips else ():
        match = _SKIP.fullmatch(item)
        if match is None:
            raise ValueError(f"bad skip {short(item)} in architecture key {short(key)}: expected 'i>j' "
                             f"with 1 <= i < j <= {len(names)} in ASCII digits, no leading zeros")
        i, j = int(match.group(1)), int(match.group(2))
        if not 1 <= i < j <= len(names):
            raise ValueError(f"bad skip {short(item)} in architecture key {short(key)}: need "
                             f"1 <= i < j <= {len(names)} (the number of hidden layers)")
        pairs.append((i, j))
    arch = Architecture(names, tuple(pairs))
    if arch.key() != key:
        raise ValueError(f"architecture key {short(key)} is not in canonical form; "
                         f"it should read {short(arch.key())} (skips sorted, each once)")
    return arch


class PreActivation(nn.Identity):
    """An identity applied to each hidden layer's pre-activation ``g_l``.

    It changes nothing (no parameters, output = input); it exists so that hooks can
    read ``g_l`` although the activation itself is applied functionally: NASWOT's
    activation codes and the Fisher proxy (``nascore.metrics``) look for it. ``fan_in``:
    the number of weights feeding each unit of the layer (the Fisher proxy's official
    convention counts each unit once per weight).
    """

    def __init__(self, fan_in: int | None = None):
        super().__init__()
        self.fan_in = fan_in


class MixedNet(nn.Module):
    """The network of an :class:`Architecture` (see the module docstring for the maths)."""

    def __init__(self, arch: Architecture, input_dim: int, width: int, num_classes: int = 1, *,
                 residual_scale: float = 1.0, weight_scale: float = 1.0, seed: int | None = None):
        super().__init__()
        for name, value in (("input_dim", input_dim), ("width", width), ("num_classes", num_classes)):
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.arch = arch
        self.residual_scale = float(residual_scale)
        self.weight_scale = float(weight_scale)
        generator = torch.Generator().manual_seed(seed) if seed is not None else None
        dims = [input_dim] + [width] * len(arch.activations)
        self.hidden = nn.ParameterList(
            nn.Parameter(torch.randn(dims[l + 1], dims[l], generator=generator))
            for l in range(len(arch.activations))
        )
        self.readout = nn.Parameter(torch.randn(num_classes, width, generator=generator))
        self.pre_act = nn.ModuleList(PreActivation(fan_in=dims[l]) for l in range(len(arch.activations)))
        self._skips_into = {j: [i for i, jj in arch.skips if jj == j] for j in range(1, len(dims))}

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        outputs = [x]  # outputs[l] = f_l
        for l, weight in enumerate(self.hidden, start=1):
            pre = F.linear(outputs[-1], weight) * (self.weight_scale / math.sqrt(weight.shape[1]))
            pre = self.pre_act[l - 1](pre)
            out = ACTIVATIONS[self.arch.activations[l - 1]](pre)
            for i in self._skips_into[l]:
                out = out + self.residual_scale * outputs[i]
            outputs.append(out)
        return F.linear(outputs[-1], self.readout) / math.sqrt(self.readout.shape[1])


def all_architectures(hidden_layers: int, activations=None, *, skip_slots: str = "adjacent",
                      residual: bool = True) -> list[Architecture]:
    """Every architecture with ``hidden_layers`` hidden layers.

    ``skip_slots``: ``"adjacent"`` (each ``(l-1, l)`` on or off) or ``"all"`` (every
    ``(i, j)``, i < j). With ``residual=False``, only the fully connected nets.
    """
    if not isinstance(hidden_layers, numbers.Integral) or isinstance(hidden_layers, bool) or hidden_layers < 1:
        raise ValueError(f"hidden_layers must be an integer >= 1, got {short(hidden_layers)}")
    activations = tuple(activations or sorted(ACTIVATIONS))
    for name in activations:
        check_activation(name)
    slots = _skip_slots(hidden_layers, skip_slots) if residual else []
    archs = []
    for acts in itertools.product(activations, repeat=hidden_layers):
        for mask in itertools.product((False, True), repeat=len(slots)):
            archs.append(Architecture(acts, tuple(s for s, on in zip(slots, mask) if on)))
    return archs


def sample(n: int, hidden_layers: int, activations=None, *, skip_slots: str = "adjacent",
           residual: bool = True, seed: int = 0) -> list[Architecture]:
    """``n`` architectures drawn uniformly (with replacement) from the space."""
    import numpy as np

    for name, value, low in (("n", n, 0), ("hidden_layers", hidden_layers, 1), ("seed", seed, 0)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {short(value)}")
    activations = tuple(activations or sorted(ACTIVATIONS))
    for name in activations:
        check_activation(name)
    slots = _skip_slots(hidden_layers, skip_slots) if residual else []
    rng = np.random.default_rng(int(seed))
    archs = []
    for _ in range(n):
        acts = tuple(activations[i] for i in rng.integers(0, len(activations), hidden_layers))
        mask = rng.integers(0, 2, len(slots)).astype(bool)
        archs.append(Architecture(acts, tuple(s for s, on in zip(slots, mask) if on)))
    return archs


def _skip_slots(hidden_layers: int, kind: str) -> list[tuple[int, int]]:
    if kind == "adjacent":
        return [(l - 1, l) for l in range(2, hidden_layers + 1)]
    if kind == "all":
        return [(i, j) for j in range(2, hidden_layers + 1) for i in range(1, j)]
    raise ValueError(f"unknown skip_slots {short(kind)}; allowed: 'adjacent', 'all'")
