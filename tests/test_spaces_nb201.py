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
