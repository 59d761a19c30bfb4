import pandas as pd
import pytest

from nascore.bench import agreement


def test_seed_agreement_by_hand():
    # seed 0 ranks a<b<c<d, seed 1 ranks a<c<b<d: 5 concordant pairs of 6, 1 discordant -> tau 4/6
    frame = pd.DataFrame({"arch": list("abcd") * 2, "seed": [0] * 4 + [1] * 4,
                          "acc": [0.1, 0.2, 0.3, 0.4, 0.1, 0.3, 0.2, 0.4]})
    table = agreement.seed_agreement_table(frame, ["acc"], n_boot=0)
    assert table.loc[0, "value"] == pytest.approx(4 / 6) and table.loc[0, "n"] == 4


def test_one_seed_is_an_error():
    frame = pd.DataFrame({"arch": list("abc"), "seed": [0, 0, 0], "acc": [1.0, 2.0, 3.0]})
    with pytest.raises(ValueError, match="need two seeds"):
        agreement.seed_agreement_table(frame, ["acc"], n_boot=0)
    with pytest.raises(ValueError, match="column 'loss' not in the table"):
        agreement.by_seed(frame, "loss")
