"""course_utils.explorers: the views behind the sliders, the static path, the live callbacks."""

from __future__ import annotations

import numpy as np
import pytest

from course_utils import explorers
from course_utils.explorers import (
    analogy_explorer,
    analogy_view,
    neighbors_explorer,
    neighbors_view,
    position_view,
    positions_explorer,
    retrieval_explorer,
    retrieval_view,
    static_output,
)


@pytest.fixture
def kv():
    from gensim.models import KeyedVectors

    words = {"man": [1, 0, 0, 0], "woman": [1, 0.3, 0, 0], "king": [1, 0, 3, 0],
             "queen": [1, 0.3, 3, 0.9], "apple": [0, 0, 0, 1], "pear": [0, 0.1, 0, 1]}
    kv = KeyedVectors(vector_size=4)
    kv.add_vectors(list(words), np.array(list(words.values()), dtype=np.float32))
    return kv


@pytest.fixture
def shown(monkeypatch):
    import matplotlib.pyplot as plt

    figures = []
    monkeypatch.setattr(plt, "show", lambda: figures.append(plt.gcf()))
    yield figures
    plt.close("all")


def encode(texts):  # a bag of letters: enough to rank passages by shared letters
    return np.array([[t.lower().count(ch) for ch in "abcdefghijklmnopqrstuvwxyz"]
                     for t in texts], dtype=np.float32)


PASSAGES = ["Einstein proposed relativity", "Bananas are yellow fruit", "Zebras run fast"]


# --- when is the output static ---------------------------------------------------------------

def test_static_under_pytest_and_with_the_environment_variable(monkeypatch):
    assert static_output() is True  # PYTEST_CURRENT_TEST is set here, as in nbval kernels
    monkeypatch.delenv("PYTEST_CURRENT_TEST", raising=False)
    monkeypatch.setenv("COURSE_STATIC_WIDGETS", "1")
    assert static_output() is True
    monkeypatch.delenv("COURSE_STATIC_WIDGETS")
    assert static_output() is True  # no Jupyter kernel in this process


def test_explicit_choice_wins_and_is_checked():
    assert static_output(False) is False and static_output(True) is True
    with pytest.raises(TypeError, match="static must be True, False or None"):
        static_output("yes")


# --- the views ------------------------------------------------------------------------------

def test_neighbors_view_ranks_by_cosine_without_the_query(kv):
    rows = neighbors_view(kv, "apple", k=2)
    assert [w for w, _ in rows][0] == "pear" and "apple" not in [w for w, _ in rows]
    assert rows[0][1] == pytest.approx(1 / np.sqrt(1.01), abs=1e-6)


def test_analogy_view_shows_why_inputs_are_excluded(kv):
    view = analogy_view(kv, "man", "king", "woman", k=3)
    assert view["excluded"][0][0] == "queen"
    assert not {"man", "king", "woman"} & {w for w, _ in view["excluded"]}
    # left in, an input word wins: b − a + c stays closest to b when the offset is small
    assert view["included"][0][0] == "king"
    assert "queen" in [w for w, _ in view["included"]]


def test_analogy_view_unknown_word_is_a_key_error(kv):
    with pytest.raises(KeyError):
        analogy_view(kv, "man", "kingg", "woman")


def test_sinusoidal_view_peaks_at_its_own_position_and_has_the_right_wavelength():
    view = position_view("sinusoidal", position=20, pair=3, n_positions=64, dim=16)
    assert int(np.argmax(view["similarity"])) == 20
    assert view["similarity"][20] == pytest.approx(8.0, rel=1e-5)  # dim/2 pairs of sin²+cos²
    assert view["wavelength"] == pytest.approx(2 * np.pi * 10000 ** (6 / 16))
    np.testing.assert_allclose(view["angles"][:3], [0, 10000 ** (-6 / 16), 2 * 10000 ** (-6 / 16)])


def test_rope_view_scores_depend_on_the_offset_only():
    early = position_view("rope", position=10, n_positions=64, dim=32)["similarity"]
    late = position_view("rope", position=40, n_positions=64, dim=32)["similarity"]
    np.testing.assert_allclose(early[0:11], late[30:41], atol=1e-9)  # offsets 10..0
    assert int(np.argmax(early)) == 10  # the same vector scores highest at distance 0


@pytest.mark.parametrize("kwargs, match", [
    ({"kind": "learned"}, "kind must be 'sinusoidal' or 'rope'"),
    ({"pair": 32, "dim": 64}, r"pair must be an int in \[0, 31\], got 32 for dim=64"),
    ({"position": 64, "n_positions": 64}, r"position must be an int in \[0, 63\], got 64"),
    ({"position": -1}, r"position must be an int in \[0, 63\], got -1"),
    ({"position": 2.5}, r"position must be an int, got 2.5"),
])
def test_position_view_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        position_view(**kwargs)


def test_retrieval_view_ranks_the_matching_passage_first():
    rows = retrieval_view(encode, PASSAGES, "Einstein proposed relativity", k=2)
    assert rows[0] == (pytest.approx(1.0), PASSAGES[0]) and len(rows) == 2
    assert rows[0][0] >= rows[1][0]
    assert len(retrieval_view(encode, PASSAGES, "zebra", k=10)) == 3  # k capped


def test_retrieval_view_accepts_torch_encoders():
    import torch

    rows = retrieval_view(lambda t: torch.from_numpy(encode(t)), PASSAGES, "yellow bananas")
    assert rows[0][1] == PASSAGES[1]


@pytest.mark.parametrize("args, match", [
    ((encode, [], "q"), "passages is empty"),
    ((encode, PASSAGES, "  "), "query must be a non-empty string"),
    ((lambda t: encode(t)[:1], PASSAGES, "q"), "encode returned 1 vectors for 3 passages"),
    ((lambda t: encode(t)[0], PASSAGES, "q"), r"encode must return shape \(n, d\)"),
    ((encode, PASSAGES, "q", 0), "k must be an int >= 1, got 0"),
])
def test_retrieval_view_bad_input(args, match):
    with pytest.raises(ValueError, match=match):
        retrieval_view(*args)


# --- the static path: printed or drawn once, nothing returned --------------------------------

def test_static_neighbors_and_analogies_print_a_table(kv, capsys):
    assert neighbors_explorer(kv, "apple", k=2) is None
    assert analogy_explorer(kv, "man", "king", "woman", k=2) is None
    out = capsys.readouterr().out
    assert "nearest to 'apple' (cosine):" in out and "pear" in out
    assert "man : king :: woman : ?   (inputs excluded)" in out and "queen" in out
    assert "the same search with the inputs left in:" in out


@pytest.mark.parametrize("kind", ["sinusoidal", "rope"])
def test_static_positions_draw_one_titled_figure(kind, shown):
    assert positions_explorer(kind, position=5, pair=2, n_positions=32, dim=16) is None
    (fig,) = shown
    left, right = fig.axes
    assert left.get_title().startswith("pair 2: one turn every")
    assert left.get_xlabel() == "position" and right.get_xlabel() == "position j"
    assert ("RoPE" in right.get_title()) == (kind == "rope")


def test_static_retrieval_prints_the_ranked_passages(capsys):
    assert retrieval_explorer(encode, PASSAGES, "Einstein relativity", k=1) is None
    out = capsys.readouterr().out
    assert "query: 'Einstein relativity'" in out and PASSAGES[0] in out
    assert PASSAGES[1] not in out


def test_retrieval_explorer_refuses_no_passages():
    with pytest.raises(ValueError, match="passages is empty"):
        retrieval_explorer(encode, [], static=False)


# --- the live widgets: moving a control recomputes the view ----------------------------------

def test_neighbors_widget_recomputes_when_word_or_k_changes(kv):
    box = neighbors_explorer(kv, "apple", k=1, static=False)
    text, slider = box.children[:2]
    assert [w for w, _ in box.last] == ["pear"]
    slider.value = 3
    assert len(box.last) == 3
    text.value = " KING "  # typed with spaces and capitals
    assert box.last[0][0] == "queen"
    text.value = "kingg"  # an unknown word while typing: shown, not raised
    assert isinstance(box.last, KeyError)


def test_analogy_widget_switches_method(kv):
    box = analogy_explorer(kv, static=False)
    assert box.last["excluded"][0][0] == "queen"
    method = box.children[3]
    method.value = "3cosmul"
    assert box.last["excluded"][0][0] == "queen"


def test_positions_widget_follows_the_sliders(shown):
    box = positions_explorer(static=False, n_positions=32, dim=16)
    kind, position, pair = box.children[:3]
    assert (box.last["kind"], box.last["position"], box.last["pair"]) == ("sinusoidal", 10, 0)
    position.value, pair.value, kind.value = 3, 7, "rope"
    assert (box.last["kind"], box.last["position"], box.last["pair"]) == ("rope", 3, 7)
    assert pair.max == 7 and position.max == 31


def test_retrieval_widget_encodes_passages_once(monkeypatch):
    calls = []

    def counting(texts):
        calls.append(len(texts))
        return encode(texts)

    box = retrieval_explorer(counting, PASSAGES, "yellow bananas", k=1, static=False)
    assert box.last[0][1] == PASSAGES[1]
    box.children[0].value = "zebras run"
    assert box.last[0][1] == PASSAGES[2]
    assert calls.count(len(PASSAGES)) == 1  # passages once; each query is one text


def test_module_lists_its_public_names():
    assert set(explorers.__all__) == {n for n in dir(explorers) if not n.startswith("_")
                                      and callable(getattr(explorers, n))
                                      and getattr(explorers, n).__module__ == explorers.__name__}
