"""Fuzz tests (hypothesis): whatever a user types or passes, the answer is a finite number
or a ``ValueError`` with a short message, never another exception type (issue 11).

Three surfaces: NAS-Bench-201 architecture strings, mixed-space keys (text built from
unicode digits, huge numbers, empty parts and stray separators), and the inputs of
:func:`nascore.metrics.score` (every metric; shapes, dtypes, scales 0, 1e-30, 1e20,
NaN and inf; good, missing and bad labels). Networks are tiny so that the whole module
takes seconds; examples are derandomised so a failure reproduces.
"""
import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nascore import metrics
from nascore.spaces import mixed, nb201

# Tiny networks on a shared machine: one torch thread (several wait on each other's barriers).
pytestmark = pytest.mark.usefixtures("one_thread")

FUZZ = settings(deadline=None, database=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
#: Decimal digits of several scripts, superscripts and fullwidth forms: all isdigit() or
#: isnumeric(), none of them ASCII except the first ten.
DIGITS = "0123456789٠١٢۳߀०১੦૦୧௨౩೪൫๖໗༨၉០᠐０１２²³¹⁰₀"
NUMBERS = st.one_of(
    st.integers(0, 12).map(str),
    st.text(DIGITS, max_size=4),
    st.sampled_from(["", "00", "01", "-0", "+1", " 1", "1_0", "1.0", "0x1", "9" * 5000, "1" + "0" * 5000]),
)
SEPARATORS = st.sampled_from(["|", "~", "+", ",", ">", "-", "||", "++", "\n", " ", ""])


def short_value_error(call):
    """``call()``; a ValueError must carry a message of reasonable length."""
    try:
        return call()
    except ValueError as error:
        assert str(error) and len(str(error)) < 700, f"message of {len(str(error))} chars"
        return None


# ----------------------------------------------------------------------------- NB201 strings
EDGE = st.builds(lambda op, sep, n: f"{op}{sep}{n}", st.sampled_from(nb201.OPS + ("conv", "", "NONE")),
                 st.sampled_from(["~", "~", "~", "", "~~"]), NUMBERS)


def one_character_edit(draw, text: str, *, replace: bool) -> str:
    """``text`` with a digit or separator inserted at a drawn position (or, with
    ``replace``, possibly put in place of the character there)."""
    at = draw(st.integers(0, len(text)))
    skip = draw(st.integers(0, 1)) if replace else 0
    return text[:at] + draw(st.one_of(NUMBERS, SEPARATORS)) + text[at + skip:]


@st.composite
def nb201_strings(draw):
    groups = [draw(st.lists(EDGE, min_size=0, max_size=4)) for _ in range(draw(st.integers(1, 4)))]
    text = draw(st.sampled_from(["+", "+", "+", "++", "|"])).join("|" + "|".join(g) + "|" for g in groups)
    if draw(st.booleans()):  # a valid string with one character changed or inserted
        valid = nb201.from_op_indices(draw(st.tuples(*[st.integers(0, 4)] * 6)))
        text = one_character_edit(draw, valid, replace=True)
    return text


@settings(FUZZ, max_examples=300)
@given(st.one_of(nb201_strings(), st.text(max_size=30)))
def test_nb201_strings_parse_canonically_or_raise_value_error(text):
    edges = short_value_error(lambda: nb201.parse(text))
    if edges is None:
        return
    # Accepted only in its one canonical spelling: ASCII sources, listed in order.
    assert nb201.from_op_indices(nb201.to_op_indices(text)) == text
    net = nb201.Network(text, C=2, N=1, num_classes=3, in_channels=1, seed=0)
    assert math.isfinite(metrics.score("params", net, torch.zeros(1, 1, 4, 4)))


# ----------------------------------------------------------------------------- mixed keys
ACTIVATION = st.sampled_from(sorted(mixed.ACTIVATIONS) + ["", "softmax", "RELU"])


@st.composite
def mixed_keys(draw):
    acts = draw(st.lists(ACTIVATION, min_size=0, max_size=4))
    skips = draw(st.lists(st.tuples(NUMBERS, NUMBERS), max_size=3))
    key = "-".join(acts) + draw(st.sampled_from(["|", "|", "", "||"])) + ",".join(f"{i}>{j}" for i, j in skips)
    if draw(st.booleans()):
        key = one_character_edit(draw, key, replace=False)
    return key


@settings(FUZZ, max_examples=300)
@given(st.one_of(mixed_keys(), st.text(max_size=30)))
def test_mixed_keys_parse_canonically_or_raise_value_error(key):
    arch = short_value_error(lambda: mixed.from_key(key))
    if arch is None:
        return
    assert arch.key() == key
    net = arch.build(3, width=4, num_classes=2, seed=0)
    value = short_value_error(lambda: metrics.score("naswot", net, torch.randn(3, 3, generator=torch.Generator().manual_seed(0))))
    assert value is None or math.isfinite(value)


# ----------------------------------------------------------------------------- metric inputs
NB201_NET = nb201.Network("|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|",
                          C=2, N=1, num_classes=3, in_channels=1, seed=0)
MIXED_NET = mixed.Architecture(("relu", "tanh"), ((1, 2),)).build(5, width=4, num_classes=3, seed=0)
SCALES = [1.0, 0.0, 1e-30, 1e20, 1e38, math.nan, math.inf, -math.inf]
DTYPES = [torch.float32, torch.float64, torch.float16, torch.int64, torch.bool]


def mostly(usual, *odd):
    """``usual`` five times in six, else one of ``odd``: with seven such choices per call,
    about a third of the calls reach a metric with well-formed inputs."""
    return st.sampled_from([usual] * (5 * len(odd)) + list(odd))


@st.composite
def metric_calls(draw):
    space = draw(st.sampled_from(["nb201", "mixed"]))
    n = draw(mostly(4, 0, 1, 2, 5))
    right = (n, 1, 4, 4) if space == "nb201" else (n, 5)
    shape = draw(mostly(right, (n, 16), (n, 3, 4, 4), right[1:], right + (2,)))
    seed = draw(st.integers(0, 3))
    x = torch.randn(shape, generator=torch.Generator().manual_seed(seed))
    scale = draw(mostly(1.0, *SCALES[1:]))
    if draw(st.booleans()) and x.numel():
        x.view(-1)[0] = scale  # one odd entry
    else:
        x = x * scale
    dtype = draw(mostly(torch.float32, *DTYPES[1:]))
    x = x.to(dtype) if dtype.is_floating_point else torch.nan_to_num(x).to(dtype)
    labels = draw(mostly("good", "none", "float", "too big", "short"))
    targets = {"good": torch.arange(n) % 3, "none": None, "float": (torch.arange(n) % 3).float(),
               "too big": torch.arange(n) + 3, "short": torch.arange(max(n - 1, 0)) % 3}[labels]
    options = draw(mostly({}, {"output": "sum"}, {"output": "full"}, {"output": "bogus"}, {"bogus": 1}))
    net = NB201_NET if space == "nb201" else MIXED_NET
    return draw(st.sampled_from(metrics.available())), net, x, targets, options


@settings(FUZZ, max_examples=100)
@given(metric_calls())
def test_any_metric_input_gives_a_finite_float_or_value_error(call):
    name, net, x, targets, options = call
    before = [p.detach().clone() for p in net.parameters()]
    value = short_value_error(lambda: metrics.score(name, net, x, targets, **options))
    assert value is None or (isinstance(value, float) and math.isfinite(value))
    assert all(torch.equal(p, q) for p, q in zip(before, net.parameters()))  # caller's net untouched


@pytest.mark.parametrize("scale", [0.0, 1e20])
def test_scaled_inputs_are_not_answered_silently(scale):
    # Inputs times 1e20 used to give grad_norm = 0 and naswot = -inf without a word.
    x, y = torch.randn(4, 1, 4, 4), torch.tensor([0, 1, 2, 0])
    for name in ("grad_norm", "naswot"):
        try:
            value = metrics.score(name, NB201_NET, x * scale, y)
        except ValueError as error:
            said = str(error)
            assert ("too large" in said) if scale else ("not finite" in said)
        else:
            assert scale == 0.0 and name == "grad_norm" and value == 0.0  # zero inputs: a true zero
