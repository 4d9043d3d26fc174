"""course_utils.compare: every test on every embedding in one table, and bad input."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import compare as cmp
from tests import kvutils
from tests.kvutils import make_kv

glove, small_kv = kvutils.glove, kvutils.small_kv  # fixtures


# --------------------------------------------------------------------------- comparison


def test_compare_embeddings_table(glove):
    rng = np.random.default_rng(0)
    few = glove.index_to_key[:20_000]
    rand = make_kv(few, rng.standard_normal((len(few), 50)))
    nowords = make_kv(["xx", "yy", "zz"], np.eye(3))
    table = cmp.compare_embeddings({"random": rand, "glove": glove,
                                   "none": cmp.Embedding(kv=nowords, analogies=False)},
                                  tasks=("wordsim353", "analogy", "probe", "lee"), n_boot=100)
    assert [r["embedding"] for r in table.rows] == ["random", "glove", "none"]
    ws = table.column("wordsim353")
    assert ws["glove"] == pytest.approx(cmp.similarity_score(glove).spearman)
    assert abs(ws["random"]) < 0.2 and ws["none"] is None
    assert table.column("analogy")["none"] is None
    assert table.column("simlex999") == {"random": None, "glove": None, "none": None}
    text = str(table)
    lines = text.splitlines()
    assert lines[0].split()[:4] == ["embedding", "words", "dim", "WS353"]
    assert "SL999" not in text and len({len(line) for line in lines}) == 1
    assert lines[-1].split()[0] == "none" and " - " in lines[-1]
    assert table.results["glove"]["wordsim353"].ci_low < ws["glove"]
    with pytest.raises(KeyError, match="no column"):
        table.column("accuracy")


def test_compare_embeddings_with_an_encoder_only():
    calls = []

    def encode(texts):
        calls.append(len(texts))
        return np.random.default_rng(len(texts)).standard_normal((len(texts), 8))

    table = cmp.compare_embeddings({"enc": cmp.Embedding(encode=encode)},
                                  tasks=("wordsim353", "polarity", "lee"))
    row = table.rows[0]
    assert row["wordsim353"] is None and row["words"] is None
    assert row["polarity"] is not None and row["lee"] is not None and calls == [200, 50]


def test_compare_embeddings_bad_input(small_kv):
    with pytest.raises(ValueError, match="no embeddings"):
        cmp.compare_embeddings({})
    with pytest.raises(ValueError, match="unknown task"):
        cmp.compare_embeddings({"a": small_kv}, tasks=("similarity",))
    with pytest.raises(ValueError, match="neither kv nor encode"):
        cmp.compare_embeddings({"a": cmp.Embedding()})
    with pytest.raises(TypeError, match="KeyedVectors"):
        cmp.compare_embeddings({"a": np.eye(3)})
