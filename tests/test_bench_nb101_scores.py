"""Scoring NAS-Bench-101 networks on the shipped CIFAR-10 images: the protocol's batch and
network, and one scored record."""
import pytest
import torch

from nascore.bench.cifar_protocol import ScoringProtocol
from nascore.bench.nb101_scores import NB101Protocol, score_architecture
from nascore.spaces.nb101_network import Network, param_count

torch.set_num_threads(1)

BARE = "01/00:"  # the smallest network (0.88 M weights): cheap to score


def test_batch_is_the_nb201_rule_keyed_by_the_cell():
    protocol = NB101Protocol()
    x, y = protocol.batch_for(BARE)
    assert x.shape == (64, 3, 32, 32) and y.shape == (64,)
    x_again, _ = protocol.batch_for(BARE)
    assert torch.equal(x, x_again)
    reference, _ = ScoringProtocol().batch_for(BARE, "cifar10")  # same fields, same draw
    assert torch.equal(x, reference)
    other, _ = protocol.batch_for("010/001/000:maxpool3x3")
    assert not torch.equal(x, other)  # a fresh batch per architecture


def test_network_is_the_full_size_cell_with_derived_weights():
    protocol = NB101Protocol()
    a, b = protocol.network(BARE), protocol.network(BARE)
    assert isinstance(a, Network) and sum(p.numel() for p in a.parameters()) == param_count(BARE)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    c = NB101Protocol(seed=43).network(BARE)
    assert not all(torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


def test_protocol_fields_are_checked_and_recorded():
    with pytest.raises(ValueError, match="batch_size must be a positive integer"):
        NB101Protocol(batch_size=0)
    assert NB101Protocol().to_dict()["space"] == "nb101"


def test_one_record_with_finite_values_and_the_exact_parameter_count():
    record = score_architecture(BARE, ("params", "naswot", "synflow"))
    assert record["errors"] == {} and record["metrics"] == ["naswot", "params", "synflow"]
    assert record["values"]["params"] == pytest.approx(0.88257)  # NASLib's params of this cell
    assert all(v is not None and v == v for v in record["values"].values())
    assert score_architecture(BARE, ("params", "naswot", "synflow"))["values"] == record["values"]
