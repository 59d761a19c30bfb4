"""NAS-Bench-101 cells: validation, pruning, the written forms, the channel rule, the network
and its parameter count against NASLib's table (all 500 entries)."""
import ast
import doctest
import json

import numpy as np
import pytest
import torch

from nascore.paths import DATA_DIR
from nascore.spaces import nb101, nb101_network
from nascore.spaces.nb101 import parse, spec, vertex_channels
from nascore.spaces.nb101_network import Cell, Network, param_count

torch.set_num_threads(1)

C3, C1, MP = "conv3x3-bn-relu", "conv1x1-bn-relu", "maxpool3x3"


def _count(net):
    return sum(p.numel() for p in net.parameters())


@pytest.fixture(scope="module")
def table():
    with open(DATA_DIR / "nasbench101-zc" / "zc_nasbench101.json") as handle:
        records = json.load(handle)["nasbench101"]["cifar10"]
    return {ast.literal_eval(key): record for key, record in records.items()}


def test_docstring_examples():
    for module in (nb101, nb101_network):
        assert doctest.testmod(module).failed == 0


# ----------------------------------------------------------------------------- cells
def test_pruning_drops_a_vertex_that_leads_nowhere_and_one_fed_by_nothing():
    # 0 -> 1 -> 4 is the path; 2 has no way to the output, 3 no way from the input.
    matrix = [[0, 1, 1, 0, 0],
              [0, 0, 0, 0, 1],
              [0, 0, 0, 0, 0],
              [0, 0, 0, 0, 1],
              [0, 0, 0, 0, 0]]
    cell = spec(matrix, ["input", C3, MP, C1, "output"])
    assert cell.matrix == ((0, 1, 0), (0, 0, 1), (0, 0, 0))
    assert cell.ops == ("input", C3, "output")
    assert str(cell) == "010/001/000:conv3x3-bn-relu"


def test_canonical_string_round_trip_and_non_canonical_strings_refused():
    arch = "0111/0001/0001/0000:conv1x1-bn-relu,maxpool3x3"
    assert str(parse(arch)) == arch
    with pytest.raises(ValueError, match="not canonical.*write it as '010/001/000:conv3x3-bn-relu'"):
        parse("0100/0001/0000/0000:conv3x3-bn-relu,maxpool3x3")  # vertex 2 dangles
    for bad in ("0110/0001/0001/0000", "0120/0001/0001/0000:conv3x3-bn-relu,maxpool3x3"):
        with pytest.raises(ValueError, match="bad NAS-Bench-101 architecture string"):
            parse(bad)
    with pytest.raises(ValueError, match="must be square"):
        parse("0110/0001:conv3x3-bn-relu")


def test_naslib_tuple_of_the_first_table_entry(table):
    # Key 1 of the file: vertex 5 (conv3x3) feeds nothing (row 5 is zero), so it is pruned;
    # vertices 1, 2 are max-pools and 3, 4 conv3x3 (labels 2, 2, 4, 4 in NASLib's order).
    key = next(iter(table))
    cell = nb101.from_naslib_tuple(key)
    assert str(cell) == ("011111/000001/000001/000010/000001/000000:"
                         "maxpool3x3,maxpool3x3,conv3x3-bn-relu,conv3x3-bn-relu")
    assert nb101.from_naslib_tuple(nb101.to_naslib_tuple(cell)) == cell
    assert len(nb101.to_naslib_tuple(cell)) == 6 * 6 + 6


def test_isomorphic_cells_share_a_key_not_a_string():
    a = parse("0110/0001/0001/0000:conv3x3-bn-relu,maxpool3x3")
    b = parse("0110/0001/0001/0000:maxpool3x3,conv3x3-bn-relu")
    c = parse("0110/0001/0001/0000:conv3x3-bn-relu,conv3x3-bn-relu")
    assert nb101.isomorphism_key(a) == nb101.isomorphism_key(b) == str(a)  # a's string is the smaller
    assert nb101.isomorphism_key(c) != nb101.isomorphism_key(a)


@pytest.mark.parametrize("matrix, ops, message", [
    ([[0, 1], [1, 0]], ["input", "output"], r"entry \[1\]\[0\] is 1 but must be 0.*upper triangular"),
    ([[0, 1, 0], [0, 1, 1], [0, 0, 0]], ["input", C3, "output"], r"entry \[1\]\[1\] is 1 but must be 0"),
    ([[0, 1, 0], [0, 0, 0], [0, 1, 0]], ["input", C3, "output"], r"entry \[2\]\[1\]"),  # cycle 1 -> ... back
    (np.triu(np.ones((8, 8), int), 1), ["input", *[C3] * 6, "output"], "at most 7 vertices, got a 8 x 8"),
    (np.triu(np.ones((6, 6), int), 1), ["input", *[C3] * 4, "output"], "at most 9 edges, got 15 after pruning"),
    ([[0, 1, 0], [0, 0, 0], [0, 0, 0]], ["input", C3, "output"], "no path from the input to the output"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "conv5x5", "output"],
     "unknown operation 'conv5x5' at vertex 1; allowed: conv3x3-bn-relu, conv1x1-bn-relu, maxpool3x3"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], [C3, C3, "output"], "must start with 'input' and end with 'output'"),
    ([[0, 1, 0], [0, 0, 1], [0, 0, 0]], ["input", "output"], "ops has 2 labels for a 3 x 3 matrix"),
    ([[0, 2, 0], [0, 0, 1], [0, 0, 0]], ["input", C3, "output"], r"entry \[0\]\[1\] is 2; allowed: 0 or 1"),
    ([[0, 1, 0], [0, 0, 1]], ["input", C3, "output"], "must be square"),
])
def test_bad_cells_get_one_clear_error(matrix, ops, message):
    with pytest.raises(ValueError, match=message):
        spec(matrix, ops)


def test_edges_are_counted_after_pruning_as_the_official_api_does():
    # 10 edges as written, but vertex 5 leads nowhere: its 2 in-edges go with it (8 left).
    matrix = np.zeros((7, 7), int)
    for i, j in [(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (3, 4), (4, 6), (0, 6), (2, 5), (4, 5)]:
        matrix[i, j] = 1
    assert spec(matrix, ["input", C3, C3, C1, MP, C3, "output"]).num_edges == 8


def test_bad_naslib_tuples_are_refused():
    with pytest.raises(ValueError, match="has 55 values; it must have n\\*n \\+ n"):
        nb101.from_naslib_tuple((0,) * 55)
    with pytest.raises(ValueError, match="label index 5 at vertex 2; allowed: 0..4"):
        nb101.from_naslib_tuple((0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 4, 5))


# ----------------------------------------------------------------------------- channels
def test_output_channels_split_with_the_remainder_to_the_first_feeders():
    cell = parse("01110/00001/00001/00001/00000:conv3x3-bn-relu,conv3x3-bn-relu,maxpool3x3")
    assert vertex_channels(cell, 64, 128) == [64, 43, 43, 42, 128]
    assert vertex_channels(cell, 64, 129) == [64, 43, 43, 43, 129]


def test_a_vertex_not_feeding_the_output_takes_the_widest_successor():
    # 1 -> {2, 3}, 2 and 3 feed the output (65 = 33 + 32): vertex 1 gets max(33, 32) = 33.
    cell = parse("01000/00110/00001/00001/00000:conv1x1-bn-relu,conv3x3-bn-relu,conv3x3-bn-relu")
    assert vertex_channels(cell, 16, 65) == [16, 33, 33, 32, 65]


def test_cell_forward_equals_the_rule_written_out():
    # out = cat(v1, v2) with 5 = 3 + 2 channels; v2 = maxpool(v1's first 2 channels + proj(x)).
    cell = parse("0110/0011/0001/0000:conv1x1-bn-relu,maxpool3x3")
    torch.manual_seed(0)
    module = Cell(cell, in_channels=4, out_channels=5)
    x = torch.randn(2, 4, 6, 6)
    v1 = module.ops["1"](module.projections["1"](x))
    v2 = module.ops["2"](v1[:, :2] + module.projections["2"](x))
    assert module.channels == [4, 3, 2, 5]
    torch.testing.assert_close(module(x), torch.cat([v1, v2], dim=1))


def test_input_to_output_edge_adds_a_projection_to_the_concatenation():
    cell = parse("011/001/000:conv3x3-bn-relu")
    torch.manual_seed(0)
    module = Cell(cell, in_channels=3, out_channels=8)
    x = torch.randn(2, 3, 5, 5)
    expected = module.ops["1"](module.projections["1"](x)) + module.projections["2"](x)
    torch.testing.assert_close(module(x), expected)


# ----------------------------------------------------------------------------- parameters
def test_parameter_count_by_hand_for_the_bare_cell():
    # input -> output only: each cell is one 1x1 projection + BN (c_in*c_out + 2*c_out).
    #   stem 3*128*9 + 256 = 3,712
    #   stack 1: 3 * (128*128 + 256) = 49,920
    #   stack 2: 128*256 + 512 + 2 * (256*256 + 512) = 165,376
    #   stack 3: 256*512 + 1024 + 2 * (512*512 + 1024) = 658,432
    #   dense 512*10 + 10 = 5,130                                  total 882,570
    assert param_count("01/00:") == 882_570
    assert _count(Network("01/00:")) == 882_570


def test_a_conv_vertex_adds_its_projection_conv_and_bn_in_every_cell():
    # input -> conv3x3 -> output: per cell c_in*c + 2c (projection) + 9c^2 + 2c (conv), c = out.
    extra = 0
    for c_in, c in [(128, 128)] * 3 + [(128, 256)] + [(256, 256)] * 2 + [(256, 512)] + [(512, 512)] * 2:
        extra += c_in * c + 2 * c + 9 * c * c + 2 * c
    assert param_count("010/001/000:conv3x3-bn-relu") == 3_712 + extra + 5_130


def test_param_count_matches_naslib_params_for_all_500_entries(table):
    # The table's `params` is the network's trainable weights in millions, to 6 decimals:
    # exact. It follows each key's own vertex numbering (see the nb101_network docstring).
    wrong = [key for key, record in table.items()
             if round(param_count(nb101.from_naslib_tuple(key)) / 1e6, 6) != record["params"]]
    assert len(table) == 500 and wrong == []


def test_the_network_has_the_counted_parameters_on_100_cells_across_the_range(table):
    # Building is the slow route: 100 of the 301 distinct cells, evenly spaced in the order
    # of params (0.29 M to 30.7 M, both ends included); benchmarks/nb101_params.py builds all.
    cells = sorted({str(nb101.from_naslib_tuple(k)): r["params"] for k, r in table.items()}.items(),
                   key=lambda item: item[1])
    for i in np.linspace(0, len(cells) - 1, 100).round().astype(int):
        arch, params = cells[i]
        assert _count(Network(arch)) == param_count(arch) == round(params * 1e6), arch


def test_network_runs_on_cifar_sized_and_odd_sized_inputs():
    net = Network("0110/0001/0001/0000:conv1x1-bn-relu,maxpool3x3", seed=0)
    assert net(torch.randn(2, 3, 32, 32)).shape == (2, 10)
    assert Network("01/00:", num_classes=3, in_channels=1)(torch.randn(1, 1, 9, 9)).shape == (1, 3)


def test_seeded_networks_are_equal_and_leave_the_global_generator_alone():
    before = torch.random.get_rng_state()
    a = Network("011/001/000:conv1x1-bn-relu", seed=3)
    b = Network("011/001/000:conv1x1-bn-relu", seed=3)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))


def test_stacks_halve_the_resolution_and_double_the_channels():
    net = Network("010/001/000:maxpool3x3", seed=0)
    shapes = []
    for module in net.cells:
        if isinstance(module, Cell):
            module.register_forward_hook(lambda m, i, out: shapes.append(tuple(out.shape[1:])))
    net(torch.zeros(1, 3, 32, 32))
    assert shapes == [(128, 32, 32)] * 3 + [(256, 16, 16)] * 3 + [(512, 8, 8)] * 3
