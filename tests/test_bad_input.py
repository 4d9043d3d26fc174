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

from course_utils import (
    bias,
    checks,
    data,
    get_device,
    initializers,
    pathologies,
    set_seed,
    sgns_torch,
    word2vec,
)
from course_utils import evaluate as ev
from course_utils import geometry as geo
from course_utils import probes as pr
from course_utils._hints import did_you_mean, suggestion
from course_utils.data import DataIntegrityError, MissingDataError
from course_utils.positions import (
    alibi_slopes,
    relative_position_bucket,
    rope,
    rope_frequencies,
    sinusoidal,
)
from course_utils.text import Vocab, oov_rate, pad_sequences, train_bpe
from course_utils.textfiles import BadFileError
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
    real_root = data.provider_root

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

    monkeypatch.setattr(data, "provider_root", lambda provider: root)
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
    "load_lee_similarity": ("lee_similarity", "similarities0-1.txt", data.load_lee_similarity),
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
    assert data.load_lee_similarity()[1].shape == (50, 50)
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
    with pytest.raises(ValueError, match=r"limit must be an int, got True \(or None for every"):
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
    with pytest.raises(ValueError, match=r"seed must be an int( >= 0)?, got .*: try seed=0"):
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
    with pytest.raises(ValueError, match=r"max_len must be an int, got 2.5 \(or None"):
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
    (checks.check_layer_norm, lambda x, w, b, eps: tuple(x.shape)),
    (checks.check_orthogonal_widen, lambda e, n, s: (e.shape[0], n)),
    (checks.check_lookup_gradient, lambda ids, up, n: (n, up.shape[1])),
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
    assert not checks.check_tied_logit_std(lambda *a: torch.tensor(NAN)).passed
    assert not checks.check_paired_bootstrap(lambda *a: (NAN, NAN)).passed


def test_lesson05_and_06_checkers_reject_nan_of_the_right_shape_and_short_tuples():
    v = checks.check_sgns_gradients(lambda v, up, un: (torch.full_like(v, NAN), up, un))
    assert not v.passed and "grad_v is not the gradient of the loss for d=" in v.message
    v = checks.check_sgns_gradients(lambda v, up, un: (v, up))
    assert not v.passed and "expected a tuple (grad_v, grad_u_pos, grad_u_neg)" in v.message
    v = checks.check_mean_vector(lambda kv, tokens: np.full(kv.vector_size, NAN))
    assert not v.passed and "values differ" in v.message  # the expected value is never shown


def test_checkers_reject_wrong_shapes_with_the_expected_shape():
    v = checks.check_relative_bias(lambda v, T: torch.zeros(T, T + 1))
    assert "expected shape" in v.message
    v = checks.check_masked_mean(lambda x, m: x)  # (B, T, d) where (B, d) is due, whatever B and T
    assert "expected shape" in v.message
    v = checks.check_bpe_merge(lambda counts: "a b")
    assert "expected a tuple (pair, new_word_counts)" in v.message


# --------------------------------------------------------------------------- initializers


def test_scheme_names_are_case_sensitive_with_a_suggestion():
    with pytest.raises(ValueError, match="unknown scheme 'GPT2'; did you mean 'gpt2'"):
        initializers.init_embedding(4, 4, "GPT2")
    with pytest.raises(ValueError, match="did you mean 'transformer'"):
        initializers.embedding_multiplier("Transformer", 64)
    with pytest.raises(ValueError, match="dim must be an int >= 1, got 0"):
        initializers.embedding_multiplier("transformer", 0)


@pytest.mark.parametrize("seed", [None, -1, 0.5])
def test_pretrained_init_random_fill_needs_a_reproducible_seed(seed):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(2)
    kv.add_vectors(["a"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(ValueError, match=r"seed must be an int( >= 0)?, got .*: try seed=0"):
        initializers.pretrained_init(["a", "b"], kv, seed=seed)


def test_pretrained_init_zero_tokens_string_and_mixed_case_words():
    from gensim.models import KeyedVectors

    kv = KeyedVectors(2)
    kv.add_vectors(["good"], np.ones((1, 2), dtype=np.float32))
    with pytest.raises(TypeError, match=r"zero_tokens takes a list.*\['\[PAD\]'\]"):
        initializers.pretrained_init(["good"], kv, zero_tokens="[PAD]")
    with pytest.raises(TypeError, match="entries must be strings, got 3"):
        initializers.pretrained_init(["good", 3], kv)
    _, report = initializers.pretrained_init(["Good", "good"], kv, oov="zeros")
    assert report.missing == ["Good"]  # GloVe is lowercase: "Good" is reported missing


BAD_TABLES = {
    "NaN": torch.tensor([[1.0, NAN], [0.0, 1.0], [1.0, 1.0]]),
    "inf": torch.tensor([[1.0, INF], [0.0, 1.0], [1.0, 1.0]]),
}


@pytest.mark.parametrize("kind", sorted(BAD_TABLES))
@pytest.mark.parametrize("call", [
    lambda t: initializers.add_tokens(t, 1),
    lambda t: initializers.widen(t, 4),
    lambda t: initializers.neighbor_overlap(t, torch.ones(3, 2), k=1),
    lambda t: initializers.neighbor_overlap(torch.ones(3, 2), t, k=1),
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
        initializers.subword_init(["abc"], bpe, table)
    kv = KeyedVectors(3)
    with pytest.raises(TypeError, match="pass kv.vectors"):
        initializers.subword_init(["abc"], bpe, kv)


@pytest.mark.parametrize("bad", ["a table", {"a": 1}, [[1, "x"]]])
def test_non_numeric_tables_are_refused(bad):
    with pytest.raises(TypeError, match="must be a numeric tensor or array"):
        initializers.add_tokens(bad, 1)


def test_integer_and_numpy_tables_are_converted():
    grown = initializers.add_tokens(np.arange(6).reshape(3, 2), 1)
    assert grown.dtype == torch.float32 and grown[3].tolist() == [2.0, 3.0]
    assert initializers.widen([[1, 2]], 3).tolist() == [[1.0, 2.0, 0.0]]
    with pytest.raises(ValueError, match=r"shape \(V, d\)"):
        initializers.widen(torch.zeros(4), 8)


# --------------------------------------------------------------------------- positions


@pytest.mark.parametrize("base", [NAN, INF, 1, 0.5, "10000"])
def test_base_must_be_a_finite_number_above_one(base):
    for fn in (lambda: sinusoidal(4, 4, base=base), lambda: rope_frequencies(4, base=base)):
        with pytest.raises(ValueError, match=r"base must be (a number|finite|> 1), got "
                           r".*: the papers use 10000"):
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
    for bad in (0, -1):
        with pytest.raises(ValueError, match=f"n_heads must be an int >= 1, got {bad}"):
            alibi_slopes(bad)
    for bad in (2.0, True):
        with pytest.raises(ValueError, match=f"n_heads must be an int, got {bad}"):
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
    with pytest.raises(ValueError, match="length must be an int, got 10.0"):
        check_sequence_length(minilm_model, 10.0)
    with pytest.raises(ValueError, match="length must be an int, got nan"):
        check_sequence_length(minilm_model, NAN)
    assert math.isfinite(bert_input_embeddings(minilm_model, ids, [[0, 0, 1]]).sum().item())


# --------------------------------------------------------------------------- sgns


def test_build_vocabulary_bad_corpus_min_count_and_mixed_case():
    with pytest.raises(ValueError, match="corpus is empty"):
        word2vec.build_vocabulary([[], []])
    with pytest.raises(ValueError, match="document 0 is a str.*split it first"):
        word2vec.build_vocabulary(["the cat sat"])
    with pytest.raises(ValueError, match="min_count must be an int >= 1, got 0"):
        word2vec.build_vocabulary(CORPUS, min_count=0)
    with pytest.raises(ValueError, match="min_count=10 removes every word.*'the'.*lower"):
        word2vec.build_vocabulary(CORPUS, min_count=10)
    vocab = word2vec.build_vocabulary([["The", "the", "the"]], min_count=1)
    assert vocab.words == ["the", "The"]  # casings are different words, by design


@pytest.mark.parametrize("counts,exc,pattern", [
    ([], ValueError, "non-empty 1-D"), ([[3, 1], [2, 1]], ValueError, "non-empty 1-D"),
    ([3, NAN], ValueError, "finite, non-negative"), ([3, INF], ValueError, "finite"),
    ([3, -1], ValueError, "non-negative"), ([0, 0], ValueError, "not all zero"),
    (["the", "cat"], TypeError, "counts must be numbers"),
], ids=["empty", "2-D", "nan", "inf", "negative", "zeros", "words"])
@pytest.mark.parametrize("fn", [
    lambda c: word2vec.keep_probabilities(c, 1e-3), word2vec.noise_distribution,
    lambda c: word2vec.noise_table(c, size=100)], ids=["keep_probabilities", "noise_distribution",
                                                    "noise_table"])
def test_count_functions_refuse_bad_counts(fn, counts, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn(counts)


@pytest.mark.parametrize("sample", [NAN, INF, "1e-3", None])
def test_keep_probabilities_refuses_a_sample_that_is_not_a_number(sample):
    with pytest.raises(ValueError, match="sample must be (finite|a number)"):
        word2vec.keep_probabilities([10, 5, 1], sample)


def test_make_pairs_bad_window_and_shapes():
    ids, sentence, rng = np.arange(6), np.zeros(6, dtype=np.int64), np.random.default_rng(0)
    with pytest.raises(ValueError, match="window must be an int >= 1, got 0: how many words"):
        word2vec.make_pairs(ids, sentence, 0, 6, window=0, rng=rng)
    with pytest.raises(ValueError, match="window must be an int, got 2.5"):
        word2vec.make_pairs(ids, sentence, 0, 6, window=2.5, rng=rng)
    with pytest.raises(ValueError, match=r"same length.*\(6,\) and \(5,\)"):
        word2vec.make_pairs(ids, sentence[:5], 0, 6, window=2, rng=rng)
    with pytest.raises(ValueError, match="1-D arrays"):
        word2vec.make_pairs(ids.reshape(2, 3), sentence.reshape(2, 3), 0, 2, window=1, rng=rng)


def test_sgns_loss_wrong_shapes():
    v, u = torch.randn(4, 8), torch.randn(4, 3, 8)
    assert sgns_torch.sgns_loss(v, u).shape == (4,)
    for bad_v, bad_u in [(v[0], u[0]), (v, u[:, :, :5]), (v[:2], u), (v, u[:, 0])]:
        with pytest.raises(ValueError, match=r"v of shape \(B, d\) and u of shape \(B, 1\+K, d\)"):
            sgns_torch.sgns_loss(bad_v, bad_u)


def test_sparse_sgd_step_wrong_dtype_or_shape():
    w_in, w_out = torch.randn(5, 4), torch.zeros(5, 4)
    centres, targets = torch.tensor([0, 1]), torch.tensor([[2, 3], [4, 0]])
    with pytest.raises(TypeError, match="centres must be a tensor of integer word ids.*float32"):
        sgns_torch.sparse_sgd_step(w_in, w_out, centres.float(), targets, 0.1)
    with pytest.raises(TypeError, match="targets must be a tensor.*got list"):
        sgns_torch.sparse_sgd_step(w_in, w_out, centres, [[2, 3], [4, 0]], 0.1)
    with pytest.raises(ValueError, match=r"targets of shape \(B, 1\+K\), got \(2,\) and \(2,\)"):
        sgns_torch.sparse_sgd_step(w_in, w_out, centres, targets[:, 0], 0.1)
    assert sgns_torch.sparse_sgd_step(w_in, w_out, centres, targets, 0.1) > 0
    assert w_out.abs().sum() > 0  # the valid call still updates in place


def test_snapshot_files_odd_paths_and_foreign_npz(tmp_path):
    assert sgns_torch.latest_snapshot(tmp_path / "no_such_folder") is None
    trainer = sgns_torch.SGNSTrainer(CORPUS, dim=4, window=1, negative=2, min_count=1, epochs=1,
                                     progress=False, table_size=1000)
    kv = trainer.keyed_vectors()  # before train(): the initial vectors, no error
    assert len(kv) == len(trainer.vocab)
    path = trainer.save(tmp_path / "new" / "folder" / "step_1.npz")  # folders are created
    assert path.is_file() and sgns_torch.latest_snapshot(path.parent) == path
    foreign = tmp_path / "foreign.npz"
    np.savez(foreign, vectors=np.zeros((2, 2)))
    with pytest.raises(sgns_torch.SnapshotError, match="no training configuration"):
        trainer.load(foreign)
    with pytest.raises(FileNotFoundError, match="no snapshot at"):
        trainer.load(tmp_path / "missing.npz")


# --------------------------------------------------------------------------- evaluate


def _kv(words, vectors):
    from gensim.models import KeyedVectors

    kv = KeyedVectors(np.shape(vectors)[1])
    kv.add_vectors(list(words), np.asarray(vectors, dtype=np.float32))
    return kv


def test_analogy_accuracy_refuses_a_non_embedding_and_a_bad_restrict_vocab():
    kv = _kv(["cat", "dog", "car", "truck"], np.eye(4))
    questions = {"s": [("cat", "dog", "car", "truck")]}
    with pytest.raises(TypeError, match="expected gensim KeyedVectors, got ndarray"):
        ev.analogy_accuracy(np.eye(4), questions)  # AttributeError from inside before
    for bad in [0, -5, 2.5, True]:  # 0 searched every word, -5 all but five, before
        with pytest.raises(ValueError, match="restrict_vocab must be an int"):
            ev.analogy_accuracy(kv, questions, restrict_vocab=bad)
    assert ev.analogy_accuracy(kv, questions, restrict_vocab=None).total == 1


def test_cluster_score_refuses_a_bad_k():
    kv = _kv([f"w{i}" for i in range(8)], np.random.default_rng(0).standard_normal((8, 4)))
    groups = {"a": ["w0", "w1", "w2", "w3"], "b": ["w4", "w5", "w6", "w7"]}
    for bad in [0, 1, 2.5, "2"]:  # sklearn's InvalidParameterError from inside before
        with pytest.raises(ValueError, match="k \\(the number of clusters\\) must be an int"):
            pr.cluster_score(kv, groups, k=bad)
    assert pr.cluster_score(kv, groups, k=2).k == 2


@pytest.mark.parametrize("bad", [NAN, INF])
def test_encoders_returning_nan_or_inf_are_refused(bad):
    def encode(texts):
        x = np.ones((len(texts), 3))
        x[1, 0] = bad
        return x

    with pytest.raises(ValueError, match="encoder returned NaN or inf in 1 of 6 rows"):
        pr.polarity_score(encode, ["a"] * 6, [0, 1] * 3, folds=2)  # sklearn's error before
    with pytest.raises(ValueError, match="encoder returned NaN or inf in 1 of 3 rows"):
        ev.lee_score(encode, ["a", "b", "c"], np.eye(3))  # a NaN correlation before


def test_word_groups_and_probe_tasks_are_case_sensitive():
    with pytest.raises(ValueError, match="unknown word group.*'Capital'.*did you mean 'capital'"):
        pr.word_groups(["Capital"])
    kv = _kv(["cat", "dog"], np.eye(2))
    with pytest.raises(ValueError, match="unknown probe task 'Plural'; did you mean 'plural'"):
        pr.probe_score(kv, "Plural")


def test_result_records_with_nothing_scored():
    assert ev.SectionScore(0, 0).accuracy == 0.0
    assert pr.ClusterResult(0.0, 0.0, 0, 0, 2, ("a", "b")).coverage == 0.0
    assert pr.ProbeResult("t", 0.5, 0.5, 0.5, (), 0, 0).selectivity == 0.0


# --------------------------------------------------------------------------- geometry


@pytest.mark.parametrize("fn", [geo.cosine_similarity, geo.dot_product, geo.euclidean_distance,
                                geo.manhattan_distance])
def test_geometry_refuses_words_where_numbers_belong(fn):
    for bad in (np.array(["king", "queen"]), ["king", "queen"]):  # torch's "can't convert
        with pytest.raises(TypeError, match="a must hold numbers, got dtype <U5"):  # np.ndarray
            fn(bad, np.ones(2))  # of type numpy.str_" before
    with pytest.raises(TypeError, match="queries must hold numbers"):
        geo.topk_scores(np.array([["a", "b"]]), np.ones((3, 2)))
    with pytest.raises(TypeError, match="emb must hold numbers"):
        pathologies.center(np.array([["a", "b"], ["c", "d"]]))



@pytest.mark.parametrize("fn", [geo.cosine_similarity, geo.dot_product, geo.euclidean_distance,
                                geo.manhattan_distance])
def test_every_pairwise_measure_refuses_bad_shapes_and_nan(fn):
    with pytest.raises(ValueError, match=r"a: expected shape \(d,\) or \(n, d\), got \(2, 2, 2\)"):
        fn(np.zeros((2, 2, 2)), np.ones(2))
    with pytest.raises(ValueError, match=r"b is empty \(shape \(0,\)\)"):
        fn(np.ones(2), [])
    for bad in (NAN, INF):
        with pytest.raises(ValueError, match="b contains NaN or infinity"):
            fn(np.ones(2), np.array([1.0, bad]))
    with pytest.raises(ValueError, match="same dimension"):
        fn(np.ones(3), np.ones(4))

def test_geometry_words_and_names_are_case_sensitive():
    kv = _kv([f"w{i}" for i in range(6)], np.random.default_rng(0).standard_normal((6, 3)))
    with pytest.raises(KeyError, match="'W3' is not in the vocabulary.*did you mean 'w3'"):
        geo.nearest_neighbors(kv, "W3")
    with pytest.raises(KeyError, match="did you mean 'w1'"):
        geo.solve_analogy(kv, "W1", "w2", "w3")
    with pytest.raises(KeyError, match="did you mean 'w1'"):
        bias.weat(kv, ["W1"], ["w2"], ["w3"], ["w4"])
    with pytest.raises(ValueError, match="unknown metric 'Cosine'; choose one of"):
        geo.topk_scores(np.ones((1, 3)), np.ones((2, 3)), metric="Cosine")
    with pytest.raises(ValueError, match="unknown metric 'cos'"):
        pathologies.k_occurrence(np.eye(3), metric="cos")
    with pytest.raises(ValueError, match="unknown method '3CosAdd'"):
        geo.analogy_scores(kv, [("w1", "w2", "w3")], method="3CosAdd")


def test_nearest_neighbors_bad_queries():
    kv = _kv([f"w{i}" for i in range(6)], np.random.default_rng(0).standard_normal((6, 3)))
    with pytest.raises(ValueError, match="queries contains NaN or infinity"):
        geo.nearest_neighbors(kv, np.array([NAN, 1.0, 1.0]))
    with pytest.raises(ValueError, match="queries have dimension 2 but the matrix has 3"):
        geo.nearest_neighbors(kv, np.ones(2))
    with pytest.raises(ValueError, match="k must be an int >= 1, got 0"):
        geo.nearest_neighbors(kv, "w1", k=0)
    with pytest.raises(TypeError, match="expected a word, a list of words or a vector, got int"):
        geo.nearest_neighbors(kv, 3)  # Python's "'int' object is not iterable" before
    with pytest.raises(TypeError, match="expected a word \\(str\\), got int"):
        geo.solve_analogy(kv, 1, "w2", "w3")
    with pytest.raises(ValueError, match="each question must be \\(a, b, c\\) words, got 'w'"):
        geo.analogy_scores(kv, "w1 w2 w3")  # one string, not a list of triples


@pytest.mark.parametrize("bad", [NAN, INF])
def test_pathology_helpers_refuse_nan_and_inf(bad):
    x = np.ones((3, 2))
    x[1, 0] = bad
    for fn in (pathologies.center, pathologies.mean_cosine, pathologies.k_occurrence):
        with pytest.raises(ValueError, match="emb contains NaN or infinity"):
            fn(x)
    with pytest.raises(ValueError, match="emb contains NaN or infinity"):
        pathologies.top_directions(x, 1)
    with pytest.raises(ValueError, match="emb contains NaN or infinity"):
        pathologies.all_but_the_top(x, 1)
    with pytest.raises(ValueError, match="values must be finite, got 1 NaN or infinite"):
        pathologies.skewness([1.0, bad, 2.0])  # a silent nan before


def test_pathology_helpers_bad_shapes_and_counts():
    with pytest.raises(ValueError, match=r"expected a matrix of shape \(n, d\), got \(3,\)"):
        pathologies.top_directions(np.ones(3), 1)
    with pytest.raises(ValueError, match=r"expected a matrix of shape \(n, d\)"):
        pathologies.k_occurrence(np.ones(3))
    with pytest.raises(ValueError, match=r"n_components must be an int in \[0, 3\], got -1 for a "
                       r"\(4, 3\) matrix"):
        pathologies.top_directions(np.ones((4, 3)), -1)
    with pytest.raises(ValueError, match=r"n_components must be an int, got 1.5 for a \(4, 3\)"):
        pathologies.top_directions(np.ones((4, 3)), 1.5)
    with pytest.raises(ValueError, match="n_pairs must be an int >= 1, got 0"):
        pathologies.mean_cosine(np.eye(3), n_pairs=0)
    with pytest.raises(ValueError, match="need at least 2 rows: a row is not its own neighbour"):
        pathologies.k_occurrence(np.ones((1, 3)))
    with pytest.raises(ValueError, match="queries have dimension 4 but the matrix has 3"):
        pathologies.k_occurrence(np.eye(3), queries=np.ones((2, 4)))
    with pytest.raises(ValueError, match="need at least 2 values, got 0"):
        pathologies.skewness([])
    assert pathologies.skewness(np.array([[1.0, 2.0], [3.0, 4.0]])) == 0.0  # flattened, by design


def test_weat_refuses_zero_and_nan_vectors_and_a_bad_permutation_count():
    kv = _kv(["a", "b", "c", "d", "z", "n"],
             [[1, 0], [0, 1], [1, 1], [1, -1], [0, 0], [NAN, 1]])
    with pytest.raises(ValueError, match="targets_x: 'z' has a zero vector"):
        bias.weat(kv, ["a", "z"], ["b", "c"], ["c"], ["d"])  # a NaN effect size before
    with pytest.raises(ValueError, match="attributes_b: 'n' has a vector with NaN or infinity"):
        bias.weat(kv, ["a"], ["b"], ["c"], ["n"])
    with pytest.raises(ValueError, match="targets_x must be a non-empty list of words, got 'a'"):
        bias.weat(kv, "a", "b", ["c"], ["d"])
    with pytest.raises(ValueError, match="n_permutations must be an int >= 1, got 0"):
        bias.weat(kv, ["a"], ["b"], ["c"], ["d"], n_permutations=0)


# --------------------------------------------------------------------------- foreign files

_TEXT = "The café sells crème brûlée.\nA second document here\n"
_DOCS = [["the", "café", "sells", "crème", "brûlée"], ["second", "document", "here"]]


def _zip(members):
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, payload in members:
            archive.writestr(name, payload)
    return buf.getvalue()


def _compressed(kind: str, payload: bytes) -> bytes:
    import bz2
    import gzip
    import lzma

    return {"gz": gzip.compress, "bz2": bz2.compress, "xz": lzma.compress,
            "zip": lambda b: _zip([("text8", b)])}[kind](payload)


@pytest.mark.parametrize("kind", ["gz", "bz2", "xz", "zip"])
def test_compressed_corpora_are_read_transparently(tmp_path, tmp_cache, kind):
    path = tmp_path / f"text8.{kind}"  # text8.zip gave ['pk', 'bs', 'text', ...] before
    path.write_bytes(_compressed(kind, _TEXT.encode()))
    assert data.load_corpus(path=path) == _DOCS
    named_txt = tmp_path / "looks-plain.txt"  # the format comes from the bytes, not the name
    named_txt.write_bytes(_compressed(kind, _TEXT.encode()))
    assert data.load_corpus(path=named_txt) == _DOCS


@pytest.mark.parametrize("payload, pattern", [
    (_zip([("a.txt", b"x"), ("b.txt", b"y")]), r"a zip holding 2 files \(a.txt, b.txt\), "
                                               "expected exactly one: unzip it"),
    (_zip([]), "a zip holding 0 files"),
    (_zip([("text8", _TEXT.encode() * 50)])[:120], "damaged zip file"),
    (__import__("gzip").compress(_TEXT.encode() * 50)[:40], "damaged or truncated"),
    (bytes(range(256)) * 16, "is binary data, not a text corpus file"),
    (b"\x93NUMPY\x01\x00v\x00{'descr': '<f8'}" + bytes(100), "is a numpy .npy array"),
    (b"%PDF-1.4\n" + bytes(range(256)), "is a PDF document"),
    ("café\n".encode("utf-16"), "is UTF-16 text: pass encoding='utf-16'"),
])
def test_foreign_corpus_files_are_refused_with_the_reason(tmp_path, tmp_cache, payload, pattern):
    path = tmp_path / "corpus.bin"
    path.write_bytes(payload)
    with pytest.raises(BadFileError, match=pattern):
        data.load_corpus(path=path)


def test_corpus_encoding_errors_name_the_line_and_the_fix(tmp_path, tmp_cache):
    path = tmp_path / "latin1.txt"
    path.write_bytes(_TEXT.encode("latin-1"))  # 'café' became 'caf' before
    with pytest.raises(BadFileError, match=r"latin1.txt, line 1, byte 8: not valid utf-8 "
                                                r".*encoding='latin-1'"):
        data.load_corpus(path=path)
    assert data.load_corpus(path=path, encoding="latin-1") == _DOCS
    path.write_bytes(_TEXT.encode("cp1252"))
    assert data.load_corpus(path=path, encoding="cp1252") == _DOCS
    path.write_bytes(_TEXT.encode("utf-16"))
    assert data.load_corpus(path=path, encoding="utf-16") == _DOCS
    with pytest.raises(ValueError, match="unknown encoding 'utf-9'"):
        data.load_corpus(path=path, encoding="utf-9")
    with pytest.raises(TypeError, match="path must be a str or pathlib.Path, got int"):
        data.load_corpus(path=3)
    with pytest.raises(MissingDataError, match="is a folder; pass a plain-text file"):
        data.load_corpus(path=tmp_path)


@pytest.mark.parametrize("variant", ["nfd", "bom", "crlf", "cr"])
def test_corpus_text_is_normalized_before_tokenizing(tmp_path, tmp_cache, variant):
    import unicodedata

    text = {"nfd": unicodedata.normalize("NFD", _TEXT),  # 'cafe' + '´' split words before
            "bom": "\ufeff" + _TEXT, "crlf": _TEXT.replace("\n", "\r\n"),
            "cr": _TEXT.replace("\n", "\r")}[variant]
    path = tmp_path / "c.txt"
    path.write_bytes(text.encode())
    assert data.load_corpus(path=path) == _DOCS


_VECS = "king 0.1 0.2 0.3\nqueen 0.4 0.5 0.6\nman 0.7 0.8 0.9\n"


@pytest.mark.parametrize("text", [_VECS, _VECS.replace(" ", "\t"), _VECS.replace(" ", "  "),
                                  _VECS.replace("\n", "\r\n"), "3 3\n" + _VECS, "\ufeff" + _VECS,
                                  _VECS.replace("\n", "\n\n")],
                         ids=["spaces", "tabs", "double spaces", "crlf", "word2vec header",
                              "bom", "blank lines"])
def test_vector_files_in_every_common_layout_load(tmp_path, text):
    path = tmp_path / "v.txt"
    path.write_text(text, encoding="utf-8")  # tabs gave a dimension-0 embedding before
    kv = data.load_glove(path=path)
    assert kv.index_to_key == ["king", "queen", "man"] and kv.vector_size == 3
    np.testing.assert_allclose(kv["queen"], [0.4, 0.5, 0.6], rtol=1e-6)
    assert data.load_glove(path=path, limit=np.int64(2)).index_to_key == ["king", "queen"]


def test_compressed_vector_files_load(tmp_path):
    path = tmp_path / "v.txt.gz"
    path.write_bytes(_compressed("gz", _VECS.encode()))
    assert data.load_glove(path=path).index_to_key == ["king", "queen", "man"]


@pytest.mark.parametrize("text, pattern", [
    (_VECS + "king 1 1 1\n", "line 4 repeats the word 'king' \\(first on line 1\\)"),
    (_VECS.replace("0.5", "nan"), "line 2: value 2 of 'queen' is 'nan'"),
    (_VECS.replace("0.5", "inf"), "line 2: value 2 of 'queen' is 'inf'"),
    (_VECS.replace("0.5", "1e39"), "beyond float32's range"),
    (_VECS.replace(" ", ","), "line 1 has a single field .*separated by ','"),
    (_VECS.replace(" ", ";"), "separated by ';'"),
    (_VECS.replace("queen 0.4 0.5 0.6", "queen 0.4 0.5"),
     "line 2 has 2 values for 'queen', expected 3 \\(as on line 1\\): a ragged row"),
    (_VECS + "lonely\n", "line 4 has a single field \\('lonely': a word and no values\\)"),
    (_VECS.replace("0.5", "abc"), "line 2: 'abc' \\(for the word 'queen'\\) is not a number"),
    ("", "holds no vectors"),
    ("\n\n", "holds no vectors"),
    ("3 3\n", "holds no vectors"),
    ("5 3\n" + _VECS, "the header on line 1 announces 5 words but the file holds 3"),
    ("3 4\n" + _VECS, "line 2 has 3 values, but the header on line 1 says 4"),
    ("café 1 2 3\ncafe\u0301 4 5 6\n", "line 2 repeats the word 'café'"),
])
def test_bad_vector_files_are_refused_with_the_line(tmp_path, text, pattern):
    path = tmp_path / "v.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(BadFileError, match=pattern):  # loaded silently before
        data.load_glove(path=path)


def test_binary_or_foreign_vector_files_are_refused(tmp_path):
    path = tmp_path / "v.bin"
    path.write_bytes(b"3 3\n" + b"".join(w + b" " + np.ones(3, np.float32).tobytes()
                                         for w in (b"king", b"queen", b"man")))
    with pytest.raises(BadFileError, match="is binary data, not a text vectors file"):
        data.load_glove(path=path)
    path.write_bytes(_zip([(f"glove.6B.{d}d.txt", _VECS) for d in (50, 100, 200, 300)]))
    with pytest.raises(BadFileError, match="a zip holding 4 files \\(glove.6B.50d.txt"):
        data.load_glove(path=path)
    path.write_bytes("café 1 2 3\n".encode("latin-1"))
    with pytest.raises(BadFileError, match="line 1, byte 4: not valid utf-8"):
        data.load_glove(path=path)
    assert data.load_glove(path=path, encoding="latin-1").index_to_key == ["café"]
    with pytest.raises(ValueError, match=r"limit must be an int, got 2.0 \(or None for every"):
        data.load_glove(path=path, limit=2.0)


# --------------------------------------------------------------------------- numbers


_A = np.random.default_rng(0).standard_normal(8)
_B = np.random.default_rng(1).standard_normal(8)
_COS = float(_A @ _B / np.linalg.norm(_A) / np.linalg.norm(_B))


@pytest.mark.parametrize("fn, want, tol", [
    (geo.cosine_similarity, _COS, 1e-2), (geo.dot_product, float(_A @ _B), 3e-2),
    (geo.euclidean_distance, float(np.linalg.norm(_A - _B)), 3e-2),
    (geo.manhattan_distance, float(np.abs(_A - _B).sum()), 1e-1)])
def test_half_precision_is_computed_in_float32(fn, want, tol):
    out = fn(_A.astype(np.float16), _B.astype(np.float16))  # cdist had no Half kernel before
    assert isinstance(out, float) and abs(out - want) < tol
    t = fn(torch.tensor(_A).bfloat16(), torch.tensor(_B).bfloat16())
    assert t.dtype == torch.float32 and abs(float(t) - want) < 3 * tol


def test_every_integer_dtype_and_numpy_int_counts_are_accepted():
    for dtype in (np.int8, np.int16, np.uint8, np.uint64):
        assert geo.euclidean_distance(np.array([3, 0], dtype), np.array([0, 4], dtype)) == 5.0
    assert abs(geo.cosine_similarity(_A.astype(np.longdouble), _B) - _COS) < 1e-12
    for bad in (np.array([True, False]), np.array([1j, 1.0])):
        with pytest.raises(TypeError, match="a must hold real numbers, got dtype"):
            geo.dot_product(bad, np.ones(2))
    m = np.random.default_rng(2).standard_normal((6, 4))
    kv = (m, [f"w{i}" for i in range(6)])
    assert len(geo.nearest_neighbors(kv, "w0", k=np.int64(3))) == 3
    found = geo.solve_analogy(kv, "w0", "w1", "w2", k=np.int32(2), restrict_vocab=np.int64(5))
    assert len(found) == 2
    assert pathologies.top_directions(m, np.int64(2)).shape == (2, 4)
    assert -1 <= pathologies.mean_cosine(m, n_pairs=np.int64(20)) <= 1
    assert pathologies.k_occurrence(m, k=np.int64(2)).sum() == 12
    assert geo.topk_scores(m, m, k=np.int16(2), block_vocab=np.int64(2))[1].shape == (6, 2)
    with pytest.raises(ValueError, match="k must be an int, got 2.0"):
        geo.nearest_neighbors(kv, "w0", k=2.0)


@pytest.mark.parametrize("scale_a, scale_b, dtype", [
    (1e30, 1e30, np.float32), (1e-30, 1e-30, np.float32), (1e30, 1e-30, np.float32),
    (1e200, 1e200, np.float64), (1e-200, 1e-200, np.float64), (1e-310, 1e-310, np.float64)])
def test_cosine_is_right_for_very_large_and_very_small_norms(scale_a, scale_b, dtype):
    a, b = (_A * scale_a).astype(dtype), (_B * scale_b).astype(dtype)
    # gave 0.0 (overflow) or "is a zero vector" (underflow) before
    assert abs(geo.cosine_similarity(a, b) - _COS) < 1e-5
    m = np.stack([a, b, (_A + _B).astype(dtype) * scale_b])
    assert np.abs(np.diag(geo.cosine_similarity(m, m)) - 1).max() < 1e-5
    assert geo.nearest_neighbors((m, ["a", "b", "c"]), a, k=1)[0][0] == "a"


def test_cosine_never_steps_past_one():
    m = np.random.default_rng(3).standard_normal((200, 7)).astype(np.float32)
    assert np.abs(geo.cosine_similarity(m, m)).max() <= 1.0


def test_neighbour_and_analogy_results_hold_no_padding_or_question_words():
    m = np.random.default_rng(4).standard_normal((4, 8))
    kv = (m, ["a", "b", "c", "d"])
    for metric in geo.METRICS:
        found = geo.nearest_neighbors(kv, "a", k=10, metric=metric)
        assert sorted(w for w, _ in found) == ["b", "c", "d"]
        assert all(np.isfinite(s) for _, s in found)
    assert [w for w, _ in geo.solve_analogy(kv, "a", "b", "c", k=5)] == ["d"]  # +3 'a', -inf
    assert geo.solve_analogy((m[:3], ["a", "b", "c"]), "a", "b", "c") == []
    scores, idx = geo.analogy_scores(kv, [("a", "b", "c")], k=3)
    assert idx[0].tolist() == [3, -1, -1] and torch.isinf(scores[0, 1:]).all()
    with pytest.raises(ValueError, match="the word 'a' occurs twice \\(rows 0 and 3\\)"):
        geo.solve_analogy((m, ["a", "b", "c", "a"]), "a", "b", "c", k=2)
