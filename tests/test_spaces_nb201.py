import pytest

from nascore.spaces import nb201

EXAMPLE = "|skip_connect~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_1x1~0|nor_conv_1x1~1|none~2|"


def test_tuple_to_string_swaps_t2_and_t3():
    # README of the shipped table: (t0..t5) reads |t0~0|+|t1~0|t3~1|+|t2~0|t4~1|t5~2|,
    # ops indexed into (skip_connect, none, nor_conv_3x3, nor_conv_1x1, avg_pool_3x3).
    assert nb201.from_op_indices((0, 2, 3, 2, 3, 1)) == EXAMPLE
    assert nb201.from_op_indices((4, 1, 0, 3, 2, 2)) == (
        "|avg_pool_3x3~0|+|none~0|nor_conv_1x1~1|+|skip_connect~0|nor_conv_3x3~1|nor_conv_3x3~2|")


def test_round_trip_over_the_whole_space():
    archs = nb201.all_architectures()
    assert len(archs) == len(set(archs)) == 15625
    for arch in archs[::97]:
        assert nb201.from_op_indices(nb201.to_op_indices(arch)) == arch


def test_parse_tuple_key():
    assert nb201.parse_tuple_key("(0, 2, 3, 2, 3, 1)") == (0, 2, 3, 2, 3, 1)


@pytest.mark.parametrize("bad", ["", "|none~0|+|none~0|none~1|", "|conv~0|+|none~0|none~1|+|none~0|none~1|none~2|",
                                 "|none~1|+|none~0|none~1|+|none~0|none~1|none~2|"])
def test_bad_strings_are_named(bad):
    with pytest.raises(ValueError, match="architecture string|operation|edge source"):
        nb201.to_op_indices(bad)


def test_bad_tuple():
    with pytest.raises(ValueError, match="6 integers"):
        nb201.from_op_indices((0, 1, 2, 3, 4, 5))


GOOD = "|nor_conv_3x3~0|+|skip_connect~0|nor_conv_1x1~1|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|"


@pytest.mark.parametrize("source", ["٠", "00", "²", "0" * 5000, " 0", "-0", "0_0", ""])
def test_only_one_ascii_digit_is_a_source(source):
    # Unicode digits, leading zeros and huge numbers used to be read as 0 (or crash
    # int()); one architecture has one spelling, so every variant is refused by name.
    bad = GOOD.replace("nor_conv_3x3~0|+", f"nor_conv_3x3~{source}|+", 1)
    with pytest.raises(ValueError, match="bad edge source") as caught:
        nb201.parse(bad)
    assert len(str(caught.value)) < 300  # the 5,000-digit source is not echoed


def test_sources_are_listed_in_order():
    swapped = "|nor_conv_3x3~0|+|skip_connect~1|nor_conv_1x1~0|+|none~0|avg_pool_3x3~1|nor_conv_3x3~2|"
    with pytest.raises(ValueError, match="must be 0"):
        nb201.parse(swapped)


def test_a_huge_string_is_shortened_in_the_message():
    with pytest.raises(ValueError) as caught:
        nb201.parse("x" * 96_000)
    message = str(caught.value)
    assert "(96002 chars)" in message and len(message) < 300


@pytest.mark.parametrize("key", ["(0, 2, 3, 2, 3, ٠)", "(0, 2, 3, 2, 3, 01)", "(0,2,3,2,3,1", "(0, 2, 3, 2, 3, 1_0)",
                                 "(0, 2, 3, 2, 3, " + "1" * 5000 + ")", None])
def test_bad_tuple_keys(key):
    with pytest.raises(ValueError, match="bad op-index key|6 integers"):
        nb201.parse_tuple_key(key)


def test_op_indices_accept_numpy_integers_but_not_bools():
    import numpy as np

    assert nb201.from_op_indices(np.array([0, 2, 3, 2, 3, 1])) == EXAMPLE
    with pytest.raises(ValueError, match="6 integers"):
        nb201.from_op_indices((True, 2, 3, 2, 3, 1))
    with pytest.raises(ValueError, match="6 integers"):
        nb201.from_op_indices(5)


@pytest.mark.parametrize("n, seed, name", [(-1, 0, "n"), (2, -1, "seed"), (1.5, 0, "n")])
def test_sample_refuses_negative_counts_and_seeds(n, seed, name):
    with pytest.raises(ValueError, match=f"{name} must be a non-negative integer"):
        nb201.sample(n, seed=seed)
