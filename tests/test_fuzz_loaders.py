"""Property-based tests: random bytes and garbled lines fed to every file loader.

A loader may give a correct result or a clear error (``BadFileError`` or another
``ValueError`` subclass naming the file), never a silently wrong result and never a bare
``TypeError``/``KeyError``/``IndexError``/``UnicodeDecodeError``/``BadZipFile``. The
examples are few (``max_examples`` small) so the suite stays fast; a failure prints the
input that broke it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import json
import unicodedata
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from course_utils import data

FUZZ = settings(max_examples=40, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture])


def _universal_lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _reference_corpus(payload: bytes) -> list[list[str]]:
    """What a correct reading of UTF-8 text gives: NFC, one document per line."""
    text = payload.decode("utf-8").removeprefix("\ufeff")
    docs = []
    for line in _universal_lines(text):
        docs.extend(data._chunks(data.tokenize_line(unicodedata.normalize("NFC", line))))
    return [d for d in docs if d]


def _wrap(kind: str, payload: bytes) -> bytes:
    if kind == "gz":
        return gzip.compress(payload)
    if kind == "bz2":
        return bz2.compress(payload)
    if kind == "zip":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as archive:
            archive.writestr("text8", payload)
        return buf.getvalue()
    return payload


def _clear(exc: BaseException, path) -> bool:
    return isinstance(exc, ValueError) and not isinstance(exc, UnicodeDecodeError) and (
        str(path) in str(exc))


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=300)
_payload = st.one_of(st.binary(max_size=600), _text.map(str.encode),
                     st.builds(lambda t, b: t.encode() + b, _text, st.binary(max_size=8)))


@FUZZ
@given(payload=_payload, kind=st.sampled_from(["plain", "gz", "bz2", "zip"]),
       cut=st.one_of(st.none(), st.integers(0, 200)))
def test_load_corpus_on_random_bytes_is_right_or_clear(tmp_path_factory, payload, kind, cut):
    path = tmp_path_factory.mktemp("fuzz") / "corpus.txt"
    raw = _wrap(kind, payload)
    truncated = cut is not None and cut < len(raw)
    path.write_bytes(raw[:cut] if truncated else raw)
    try:
        corpus = data.load_corpus(path=path)
    except Exception as exc:
        assert _clear(exc, path), f"{type(exc).__name__}: {exc}"
        return
    assert not (truncated and kind != "plain"), "a truncated archive was read without an error"
    assert corpus == _reference_corpus(raw[:cut] if truncated else payload)


_word = st.text(st.characters(min_codepoint=0x21, max_codepoint=0x2FF, exclude_characters="#"),
                min_size=1, max_size=6)
_row = st.tuples(_word, st.lists(st.floats(-10, 10, width=32), min_size=3, max_size=3))
_garble = st.sampled_from(["none", "drop value", "extra value", "nan", "inf", "word", "comma",
                           "tab", "duplicate", "blank", "bytes", "truncate", "header",
                           "bad header"])


def _reference_vectors(text: str):
    """A correct reading: (words, rows) or None where the file must be refused."""
    words, rows, header = [], [], None
    for line in _universal_lines(text.removeprefix("\ufeff")):
        parts = [p for p in line.replace("\t", " ").split(" ") if p]
        if not parts:
            continue
        if not words and header is None and len(parts) == 2 and all(p.isdigit() for p in parts):
            header = (int(parts[0]), int(parts[1]))
            continue
        try:
            values = [float(p) for p in parts[1:]]
        except ValueError:
            return None
        word = unicodedata.normalize("NFC", parts[0])
        if (not values or (rows and len(values) != len(rows[0])) or word in words
                or not np.isfinite(np.float32(values)).all()):
            return None
        words.append(word)
        rows.append(values)
    if not words or (header and header != (len(words), len(rows[0]))):
        return None
    return words, np.float32(rows)


@FUZZ
@given(rows=st.lists(_row, min_size=1, max_size=6, unique_by=lambda r: r[0]), garble=_garble,
       where=st.integers(0, 5), junk=st.binary(min_size=1, max_size=6))
def test_load_glove_on_garbled_lines_is_right_or_clear(tmp_path_factory, rows, garble, where,
                                                       junk):
    lines = [f"{w} " + " ".join(repr(float(v)) for v in vals) for w, vals in rows]
    i = where % len(lines)
    if garble == "drop value":
        lines[i] = lines[i].rsplit(" ", 1)[0]
    elif garble == "extra value":
        lines[i] += " 0.5"
    elif garble in ("nan", "inf", "word"):
        lines[i] = lines[i].rsplit(" ", 1)[0] + " " + {"nan": "nan", "inf": "-inf",
                                                       "word": "abc"}[garble]
    elif garble in ("comma", "tab"):
        lines[i] = lines[i].replace(" ", "," if garble == "comma" else "\t")
    elif garble == "duplicate":
        lines.append(lines[i])
    elif garble == "blank":
        lines.insert(i, "")
    elif garble == "header":
        lines.insert(0, f"{len(lines)} 3")
    elif garble == "bad header":
        lines.insert(0, f"{len(lines) + 1} 3")
    payload = "\n".join(lines).encode() + b"\n"
    if garble == "bytes":
        payload = payload[: where * 7] + junk + payload[where * 7 :]
    elif garble == "truncate":
        payload = payload[: max(1, len(payload) - where * 5)]
    path = tmp_path_factory.mktemp("fuzz") / "vectors.txt"
    path.write_bytes(payload)
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        text = None
    expected = _reference_vectors(text) if text is not None else None
    try:
        kv = data.load_glove(path=path)
    except Exception as exc:
        assert _clear(exc, path), f"{type(exc).__name__}: {exc}"
        return
    assert expected is not None, f"loaded a file that should be refused: {payload!r}"
    assert kv.index_to_key == expected[0]
    np.testing.assert_array_equal(kv.vectors, expected[1])


@settings(FUZZ, max_examples=15)  # each example rebuilds the Lee corpus
@given(junk=st.one_of(st.binary(max_size=200), st.sampled_from([b"[]", b"null", b"{}", b"1"]),
                      st.builds(lambda d: json.dumps(d).encode(),
                                st.dictionaries(st.text(max_size=5), st.integers() | st.none(),
                                                max_size=3))),
       target=st.sampled_from(["memo", "corpus", "record"]))
def test_cache_files_of_random_bytes_never_change_a_result(tmp_path_factory, monkeypatch, junk,
                                                          target):
    cache = tmp_path_factory.mktemp("cache")
    with monkeypatch.context() as m:
        m.setenv("COURSE_CACHE_DIR", str(cache))
        reference = data.load_corpus("lee")
        path = {"memo": cache / "verified.json",
                "corpus": next((cache / "corpora").glob("lee-*.txt")),
                "record": next((cache / "corpora").glob("lee-*.meta.json"))}[target]
        path.write_bytes(junk)
        assert data.load_corpus("lee") == reference
        assert len(data.load_similarity("wordsim353")) == 353


@FUZZ
@given(junk=st.one_of(st.binary(max_size=200),
                      st.sampled_from([b"[]", b"{}", b'{"sources": []}', b'{"sources": {"x": 1}}',
                                       b'{"sources": {"x": {"title": "t"}}}'])))
def test_a_catalog_of_random_bytes_is_refused_clearly(tmp_path_factory, monkeypatch, junk):
    path = tmp_path_factory.mktemp("manifest") / "manifest.json"
    path.write_bytes(junk)
    with monkeypatch.context() as m:
        m.setattr(data, "MANIFEST_PATH", path)
        try:
            sources = data.catalog()
        except (data.DataIntegrityError, data.MissingDataError) as exc:
            assert "datasets/manifest.json" in str(exc)
            return
    assert sources == {}  # only a valid, empty catalog may load


@pytest.mark.parametrize("loader", [data.load_corpus, data.load_glove])
def test_the_fuzz_checks_can_fail(tmp_path, loader):
    """The property's 'clear error' test rejects a bare error and a message without the file."""
    assert not _clear(TypeError("x"), tmp_path)
    assert not _clear(UnicodeDecodeError("utf-8", b"\xff", 0, 1, str(tmp_path)), tmp_path)
    assert not _clear(ValueError("could not convert string to float"), tmp_path)
    with pytest.raises(Exception) as exc:
        loader(path=tmp_path)  # a folder: refused, naming it
    assert str(tmp_path) in str(exc.value)
