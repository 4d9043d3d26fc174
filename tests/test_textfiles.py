"""course_utils.textfiles: the reader of files a learner passes (compressed, any encoding,
binary refused) and of GloVe / word2vec text vectors, called directly. The loaders that use
them (``load_corpus(path=)``, ``load_glove(path=)``) are tried in test_data.py and
test_bad_input.py."""

from __future__ import annotations

import gzip

import numpy as np
import pytest

from course_utils.textfiles import BadFileError, codec_name, read_vectors, text_lines


def test_text_lines_decompresses_decodes_and_numbers_the_lines(tmp_path):
    path = tmp_path / "doc.txt.gz"
    path.write_bytes(gzip.compress("\ufeffcafé\r\nsecond\n\nthird".encode()))
    assert list(text_lines(path)) == [(1, "café\n"), (2, "second\n"), (3, "\n"), (4, "third")]
    latin = tmp_path / "latin.txt"
    latin.write_bytes("café\n".encode("latin-1"))
    assert list(text_lines(latin, "latin-1")) == [(1, "café\n")]
    with pytest.raises(BadFileError, match="latin.txt, line 1, byte 4: not valid utf-8"):
        list(text_lines(latin, what="corpus file"))
    npy = tmp_path / "a.npy"
    np.save(npy, np.zeros(3))
    with pytest.raises(BadFileError, match="is a numpy .npy array, not a text corpus file"):
        list(text_lines(npy, what="corpus file"))


def test_codec_name_is_canonical_and_names_the_fix():
    assert codec_name("UTF8") == "utf-8" and codec_name("Latin-1") == "iso8859-1"
    with pytest.raises(ValueError, match="unknown encoding 'utf-9': try 'utf-8', 'latin-1'"):
        codec_name("utf-9")
    with pytest.raises(TypeError, match="encoding must be a codec name such as 'utf-8'"):
        codec_name(8)


def test_read_vectors_reads_glove_and_word2vec_text_and_refuses_bad_lines(tmp_path):
    glove = tmp_path / "v.txt"
    glove.write_text("king 1 2 3\nqueen\t4 5 6\n", encoding="utf-8")
    words, matrix = read_vectors(glove)
    assert words == ["king", "queen"] and matrix.dtype == np.float32
    assert matrix.tolist() == [[1, 2, 3], [4, 5, 6]]
    w2v = tmp_path / "w2v.txt"
    w2v.write_text("2 3\nking 1 2 3\nqueen 4 5 6\n", encoding="utf-8")
    assert read_vectors(w2v, limit=np.int64(1))[0] == ["king"]
    bad = tmp_path / "bad.txt"
    bad.write_text("king 1 2 3\nqueen 4 5\n", encoding="utf-8")
    with pytest.raises(BadFileError, match="line 2 has 2 values for 'queen', expected 3"):
        read_vectors(bad)
    with pytest.raises(ValueError, match=r"limit must be an int >= 1, got 0 \(or None"):
        read_vectors(glove, limit=0)
