"""Which parameters an empirical NTK runs over: the parameter sets of the papers' codes.

The kernel Theta = J J^T sums over a set of parameters; the official codes differ:

- ``"all"``: every trainable parameter (convolution, linear and batch-norm weights and
  biases): the textbook empirical NTK (Jacot et al. 2018), and our choice for Zhu et al.
  (no official code);
- ``"weights"``: parameters whose name contains ``'weight'`` (convolution, linear and
  affine batch-norm weights; no biases): TE-NAS, VITA-Group/TENAS
  ``lib/procedures/ntk.py`` line 48 (``if 'weight' in name and W.grad is not None``);
- ``"weights-no-classifier"``: as ``"weights"`` but leaving out any parameter whose name
  contains ``'classifier'`` (the final linear layer): LGA, naver-ai/demystifying-ntk
  ``ntk_nas_{init,train}/foresight/pruners/measures/label_align_eig.py`` lines 30-32
  (``if 'weight' in name and W.grad is not None and 'classifier' not in name``);
- ``"conv-linear"``: weights *and biases* of ``nn.Conv2d`` and ``nn.Linear`` modules, no
  batch-norm parameter: HNAS, shuyao95/HNAS ``tools/autograd_hacks.py`` line 30
  (``_supported_layers = ['Linear', 'Conv2d']``) and lines 163-178 (``grad1`` of weight
  and bias), read by ``foresight/pruners/measures/ntk_trace.py`` line 40.

The name rules are the official ones, applied to ``net.named_parameters()`` names.
Networks built from bare parameters instead of layers (the fully connected nets of
:mod:`nascore.spaces.mixed` hold their matrices in a ``ParameterList`` ``hidden`` and a
``readout``) are read structurally: a bare parameter with two or more dimensions is the
weight of a linear map (so it belongs to ``"weights"`` and ``"conv-linear"``), and a
parameter named ``readout`` is the classifier, like one named ``classifier``. A set that
selects no parameter of a network is an error, not an empty kernel.
"""
from __future__ import annotations

from torch import nn

PARAMETER_SETS = ("all", "weights", "weights-no-classifier", "conv-linear")
_LAYERS = (nn.Conv2d, nn.Linear)
_NAMED_LAYERS = (nn.Conv2d, nn.Linear, nn.modules.batchnorm._NormBase, nn.LayerNorm, nn.GroupNorm)
_CLASSIFIER_NAMES = ("classifier", "readout")


def _owners(net: nn.Module) -> dict[str, nn.Module]:
    """Parameter name -> the module that holds it directly."""
    owners = {}
    for prefix, module in net.named_modules():
        for pname, _ in module.named_parameters(recurse=False):
            owners[f"{prefix}.{pname}" if prefix else pname] = module
    return owners


def _bare_matrix(module, p) -> bool:
    return not isinstance(module, _NAMED_LAYERS) and p.ndim >= 2


def selected_names(net: nn.Module, params: str) -> list[str]:
    """Names of the trainable parameters of ``net`` in parameter set ``params``, in order.

    >>> lin = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    >>> selected_names(lin, "weights"), selected_names(lin, "conv-linear")
    (['0.weight', '1.weight'], ['0.weight', '0.bias'])
    """
    if params not in PARAMETER_SETS:
        raise ValueError(f"unknown parameter set {params!r}; allowed: {', '.join(map(repr, PARAMETER_SETS))}")
    named = dict(net.named_parameters())
    trainable = [name for name, p in named.items() if p.requires_grad]
    owners = _owners(net)
    bare = {n for n in trainable if _bare_matrix(owners[n], named[n])}
    if params == "all":
        chosen = trainable
    elif params == "weights":
        chosen = [n for n in trainable if "weight" in n or n in bare]
    elif params == "weights-no-classifier":
        chosen = [n for n in trainable if ("weight" in n or n in bare)
                  and not any(c in n for c in _CLASSIFIER_NAMES)]
    else:
        chosen = [n for n in trainable if isinstance(owners[n], _LAYERS) or n in bare]
    if not chosen:
        raise ValueError(f"parameter set {params!r} selects no trainable parameter of this network "
                         f"(its parameters: {', '.join(trainable[:6]) or 'none'}"
                         f"{', ...' if len(trainable) > 6 else ''}); use params='all'")
    return chosen


class OnlyTrainable:
    """Within the block, only the named parameters require gradients; flags restored on exit."""

    def __init__(self, net: nn.Module, names):
        self.net, self.names = net, set(names)

    def __enter__(self):
        self.flags = [(p, p.requires_grad) for p in self.net.parameters()]
        for name, p in self.net.named_parameters():
            p.requires_grad_(p.requires_grad and name in self.names)
        return self

    def __exit__(self, *exc):
        for p, flag in self.flags:
            p.requires_grad_(flag)
