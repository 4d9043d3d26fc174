import hashlib

import pytest

from course_utils import data
from course_utils.toyworld import make_toy_corpus, toy_analogies, toy_relations


def test_toy_corpus_is_deterministic_and_seeded():
    assert make_toy_corpus(500, seed=1) == make_toy_corpus(500, seed=1)
    assert make_toy_corpus(500, seed=1) != make_toy_corpus(500, seed=2)


def test_toy_corpus_matches_the_catalogued_checksum():
    text = data.toy_text(data.load_corpus("toy"))
    assert hashlib.sha256(text.encode()).hexdigest() == data.catalog()["toy"].sha256


def test_every_planted_word_occurs_in_the_corpus():
    vocab = {tok for sent in make_toy_corpus() for tok in sent}
    for pairs in toy_relations().values():
        assert len(pairs) == 8
        for left, right in pairs:
            assert left in vocab and right in vocab


def test_toy_analogies_pair_distinct_pairs_of_one_relation():
    analogies = toy_analogies()
    assert set(analogies) == {"capital", "gender", "plural"}
    for rel, questions in analogies.items():
        pairs = set(toy_relations()[rel])
        assert len(questions) == 8 * 7
        for a, b, c, d in questions:
            assert (a, b) in pairs and (c, d) in pairs and a != c


@pytest.mark.parametrize("bad", [0, -5, 2.5, "10"])
def test_toy_corpus_rejects_bad_sizes(bad):
    with pytest.raises(ValueError, match=r"n_sentences must be an int( >= 1)?, got"):
        make_toy_corpus(bad)
