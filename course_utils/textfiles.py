"""Reading text files you pass yourself: a corpus (``load_corpus(path=...)``) or word
vectors (``load_glove(path=...)``).

A file may be compressed (gzip, bz2, xz, or a zip holding one file: told by its first
bytes, not its name); it is decoded as UTF-8 unless you give another ``encoding``; Windows
line ends and a byte-order mark are handled. A binary file (a ``.npy``, a PDF, word2vec's
``.bin``), a line that is not valid in the encoding, a damaged archive or a bad vectors
line is refused with ``BadFileError`` naming the file, the line and the fix. The course's
own catalogued data is read in ``course_utils.data``.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import lzma
import unicodedata
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from course_utils.validation import check_int


class BadFileError(ValueError):
    """A file you passed (a corpus, a vectors file) cannot be read as text of that kind."""


_SNIFF = 1 << 16  # bytes looked at to tell text from binary
_BINARY_MAGIC = {b"\x93NUMPY": "a numpy .npy array", b"%PDF": "a PDF document",
                 b"\x89PNG": "a PNG image", b"\xff\xd8\xff": "a JPEG image",
                 b"7z\xbc\xaf": "a 7-Zip archive", b"Rar!": "a RAR archive",
                 b"\x28\xb5\x2f\xfd": "a zstd-compressed file", b"\x7fELF": "a program",
                 b"\x1f\x8b": "gzip data inside an archive",
                 b"PK\x03\x04": "a zip inside an archive",
                 b"SQLite format": "an SQLite database", b"\x80\x04\x95": "a pickle"}
_DAMAGED = (EOFError, OSError, zlib.error, lzma.LZMAError, zipfile.BadZipFile, RuntimeError,
            NotImplementedError)


@contextlib.contextmanager
def _open_bytes(path: Path) -> Iterator[tuple[Any, str]]:
    """The file's bytes as a stream, decompressed when it is gzip, bz2, xz or a one-file zip.

    The format is told by the file's first bytes, not its name. Yields ``(stream, label)``,
    ``label`` naming the file (and the zip member) for error messages.
    """
    with path.open("rb") as fh:
        magic = fh.read(6)
    label = str(path)
    if magic.startswith(b"PK"):
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise BadFileError(f"{path} is a damaged zip file ({exc}): download it again") from None
        with archive:
            members = [m for m in archive.infolist()
                       if not m.is_dir() and not m.filename.startswith("__MACOSX/")]
            if len(members) != 1:
                names = ", ".join(m.filename for m in members[:5]) or "nothing"
                raise BadFileError(
                    f"{path} is a zip holding {len(members)} files ({names}"
                    f"{', ...' if len(members) > 5 else ''}), expected exactly one: unzip it "
                    "and pass the file you want as path=")
            try:
                stream = archive.open(members[0])
            except _DAMAGED as exc:
                raise BadFileError(f"{path}: cannot read {members[0].filename} inside it "
                                   f"({exc}): unzip it yourself and pass the text file") from None
            with stream:
                yield stream, f"{path} (member {members[0].filename})"
        return
    opener = open
    if magic.startswith(b"\x1f\x8b"):
        opener = gzip.open
    elif magic.startswith(b"BZh"):
        opener = bz2.open
    elif magic == b"\xfd7zXZ\x00":
        opener = lzma.open
    with opener(path, "rb") as stream:
        yield stream, label


def codec_name(encoding: str) -> str:
    """The canonical name of a text encoding (``"UTF8"`` -> ``"utf-8"``); an unknown one
    raises ``ValueError`` with names to try."""
    if not isinstance(encoding, str):
        raise TypeError(f"encoding must be a codec name such as 'utf-8' or 'latin-1', got "
                        f"{type(encoding).__name__}")
    try:
        return codecs.lookup(encoding).name
    except LookupError:
        raise ValueError(f"unknown encoding {encoding!r}: try 'utf-8', 'latin-1' or "
                         "'cp1252'") from None


def _refuse_binary(head: bytes, label: str, what: str) -> None:
    """Raise BadFileError when the first bytes of a file are not text."""
    kind = next((name for magic, name in _BINARY_MAGIC.items() if head.startswith(magic)), None)
    if kind is None and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise BadFileError(f"{label} is UTF-16 text: pass encoding='utf-16'")
    control = sum(head.count(bytes([c])) for c in (*range(0, 8), *range(14, 27), *range(28, 32)))
    if kind is None and (b"\x00" in head or control > 0.05 * len(head)):
        kind = "binary data"
    if kind is not None:
        raise BadFileError(f"{label} is {kind}, not a text {what}: pass a plain-text file "
                           "(gzip, bz2, xz or a one-file zip of one is fine)")


def text_lines(path: Path, encoding: str = "utf-8",
               what: str = "file") -> Iterator[tuple[int, str]]:
    """``(line_number, line)`` of a text file you passed: decompressed, decoded, checked.

    ``what`` names the file in errors ("corpus file"). Binary files are refused; a line that
    is not valid in ``encoding`` raises ``BadFileError`` naming the file, the line and the
    byte, and the fix. Windows and old Mac line ends and a byte-order mark are handled.
    """
    codec = codec_name(encoding)
    ascii_like = "\n".encode(codec) == b"\n" and not codec.startswith(("utf-16", "utf-32"))
    try:
        with _open_bytes(path) as (stream, label):
            if ascii_like:
                _refuse_binary(stream.read(_SNIFF), label, what)
        with _open_bytes(path) as (stream, label):
            if not ascii_like:  # multi-byte newlines: let Python's reader split the lines
                reader = codecs.getreader(codec)(stream, errors="strict")
                number = 0
                try:
                    for number, line in enumerate(reader, 1):  # noqa: B007
                        yield number, line
                except UnicodeDecodeError as exc:
                    raise BadFileError(f"{label}, after line {number}: not valid {codec} "
                                       f"({exc.reason}); pass the file's encoding=") from None
                return
            for number, raw in enumerate(stream, 1):
                try:
                    line = raw.decode(codec)
                except UnicodeDecodeError as exc:
                    bad = raw[exc.start : exc.start + 4]
                    raise BadFileError(
                        f"{label}, line {number}, byte {exc.start + 1}: not valid {codec} "
                        f"({bad!r}); if the file uses another encoding pass encoding=, e.g. "
                        "encoding='latin-1' (Western European) or encoding='cp1252' (Windows)"
                    ) from None
                if number == 1 and line.startswith("\ufeff"):  # a byte-order mark
                    line = line[1:]
                if "\r" in line:  # Windows (CR LF) and old Mac (CR) line ends, as text mode
                    pieces = line.replace("\r\n", "\n").replace("\r", "\n").split("\n")
                    for piece in pieces[:-1] if pieces[-1] == "" else pieces:
                        yield number, piece + "\n"
                    continue
                yield number, line
    except _DAMAGED as exc:
        if isinstance(exc, FileNotFoundError | PermissionError | IsADirectoryError):
            raise
        raise BadFileError(f"{path} is damaged or truncated ({type(exc).__name__}: {exc}): "
                           "download or decompress it again") from None


def read_vectors(path: Path, limit: int | None = None, encoding: str = "utf-8"):
    """``(words, float32 (n, d) matrix)`` from a GloVe or word2vec text file, checked line by line.

    Each line is ``word v1 v2 ...`` (spaces or tabs); a first line ``<words> <dim>`` is
    word2vec's header. Words are normalized to NFC. A repeated word, a NaN or infinite
    value, a ragged row, a value that is not a number or no vectors at all raise
    ``BadFileError`` naming the line and the fix. ``limit`` keeps the first words only.
    """
    import numpy as np

    limit = None if limit is None else check_int(limit, "limit", minimum=1, hint=_LIMIT_HINT)
    words: list[str] = []
    rows: list[Any] = []
    first_seen: dict[str, int] = {}
    header = dim = first_line = None
    for number, line in text_lines(path, encoding, "vectors file"):
        parts = [p for p in line.strip(" \t\r\n").replace("\t", " ").split(" ") if p]
        if not parts:
            continue  # a blank line
        where = f"{path}, line {number}"
        if first_line is None and header is None and len(parts) == 2 and all(
                p.isdigit() for p in parts):
            header = (int(parts[0]), int(parts[1]), number)  # word2vec's "<words> <dim>"
            continue
        word, vec = _vector_line(parts, where)
        if dim is None:
            dim, first_line = len(vec), number
            if header is not None and header[1] != dim:
                raise BadFileError(f"{where} has {dim} values, but the header on line "
                                   f"{header[2]} says {header[1]}; fix the header")
        _check_vector(word, vec, parts, where, (dim, first_line), first_seen)
        first_seen[word] = number
        words.append(word)
        rows.append(vec)
        if limit is not None and len(words) >= limit:
            break
    _check_count(path, len(words), header, limit)
    return words, np.stack(rows)


_LIMIT_HINT = " (or None for every word)"
_FIX_LINE = "fix or remove that line (each line: a word, then its values, separated by spaces)"


def _vector_line(parts: list[str], where: str):
    """``(word, float32 vector)`` of one split line; a lone field or a non-number is refused."""
    import numpy as np

    if len(parts) == 1:
        sep = next((c for c in ",;|" if c in parts[0]), None)
        hint = (f"it looks separated by {sep!r}: replace them by spaces" if sep
                else "a word and no values")
        raise BadFileError(f"{where} has a single field ({parts[0][:40]!r}: {hint}); "
                           "expected 'word v1 v2 ...' separated by spaces")
    word = unicodedata.normalize("NFC", parts[0])
    try:
        return word, np.array(parts[1:], dtype=np.float32)
    except ValueError:
        bad = next(p for p in parts[1:] if not _is_number(p))
        raise BadFileError(f"{where}: {bad[:40]!r} (for the word {word!r}) is not a "
                           f"number; {_FIX_LINE}") from None


def _check_vector(word: str, vec, parts: list[str], where: str, first: tuple[int, int],
                  first_seen: dict[str, int]) -> None:
    """Refuse a row whose length differs from the first row's, a non-finite value, or a
    word already seen; ``first`` is ``(dim, line)`` of the first row."""
    import numpy as np

    dim, first_line = first
    if len(vec) != dim:
        raise BadFileError(f"{where} has {len(vec)} values for {word!r}, expected {dim} "
                           f"(as on line {first_line}): a ragged row; {_FIX_LINE}")
    if not np.isfinite(vec).all():
        col = int(np.flatnonzero(~np.isfinite(vec))[0])
        raise BadFileError(f"{where}: value {col + 1} of {word!r} is {parts[col + 1]!r} "
                           "(NaN, infinity or beyond float32's range); vectors must be "
                           f"finite: {_FIX_LINE}")
    if word in first_seen:
        raise BadFileError(f"{where} repeats the word {word!r} (first on line "
                           f"{first_seen[word]}); a word must have one vector: remove "
                           "one of them")


def _check_count(path: Path, n_words: int, header, limit: int | None) -> None:
    """Refuse a file with no vectors, or fewer or more words than its header announces."""
    if not n_words:
        raise BadFileError(f"{path} holds no vectors (empty or only a header); expected "
                           "'word v1 v2 ...' per line")
    if header is not None and limit is None and header[0] != n_words:
        raise BadFileError(f"{path}: the header on line {header[2]} announces {header[0]:,} "
                           f"words but the file holds {n_words:,} (truncated?); fix the "
                           "header or download the file again")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
