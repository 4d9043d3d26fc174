"""A synthetic "toy world" corpus with planted relations, generated from a seed.

Real corpora mix thousands of signals; here we know the truth. Three relations are
planted, each as eight word pairs whose two sides share pair-specific contexts
(a language, a family role, an attribute) and differ by a consistent role
(country vs city, he vs she, one vs many). A good embedding trainer should turn that
into parallel offset vectors, so ``toy_analogies()`` can be answered far above chance.
"""

from __future__ import annotations

import random

from course_utils.validation import check_int, check_seed

# (left, right, the context word the pair shares)
RELATIONS: dict[str, list[tuple[str, str, str]]] = {
    "capital": [
        ("france", "paris", "french"), ("italy", "rome", "italian"),
        ("spain", "madrid", "spanish"), ("germany", "berlin", "german"),
        ("japan", "tokyo", "japanese"), ("egypt", "cairo", "arabic"),
        ("peru", "lima", "quechua"), ("kenya", "nairobi", "swahili"),
    ],
    "gender": [
        ("king", "queen", "royal"), ("prince", "princess", "young"),
        ("man", "woman", "adult"), ("boy", "girl", "child"),
        ("father", "mother", "parent"), ("brother", "sister", "sibling"),
        ("uncle", "aunt", "relative"), ("husband", "wife", "married"),
    ],
    "plural": [
        ("cat", "cats", "furry"), ("dog", "dogs", "loyal"),
        ("apple", "apples", "sweet"), ("car", "cars", "fast"),
        ("bird", "birds", "small"), ("house", "houses", "big"),
        ("tree", "trees", "tall"), ("book", "books", "old"),
    ],
}

# templates per relation: (left-side templates, right-side templates); {x} is the word,
# {c} the shared context word. Both sides use every shared template, so the pair's
# context differs only by the role words.
_TEMPLATES: dict[str, tuple[list[str], list[str]]] = {
    "capital": (
        ["people in {x} speak {c}", "the country of {x} is large", "we travelled across {x}",
         "{x} is a country where {c} is spoken"],
        ["people in {x} speak {c}", "the city of {x} is busy", "we flew into {x}",
         "{x} is a city where {c} is spoken"],
    ),
    "gender": (
        ["the {x} said that he was {c}", "he is a {c} {x}", "the {x} and his friend",
         "a {c} {x} and his family"],
        ["the {x} said that she was {c}", "she is a {c} {x}", "the {x} and her friend",
         "a {c} {x} and her family"],
    ),
    "plural": (
        ["one {x} is {c}", "the {x} is very {c}", "i saw a {c} {x}", "this {x} is {c}"],
        ["many {x} are {c}", "the {x} are very {c}", "i saw some {c} {x}", "these {x} are {c}"],
    ),
}


def toy_relations() -> dict[str, list[tuple[str, str]]]:
    """The planted word pairs: ``{relation: [(left, right), ...]}`` (3 relations x 8 pairs)."""
    return {rel: [(a, b) for a, b, _ in pairs] for rel, pairs in RELATIONS.items()}


def toy_analogies() -> dict[str, list[tuple[str, str, str, str]]]:
    """Analogy questions from the planted pairs: ``(a, b, c, d)`` means a:b :: c:d.

    Every ordered pair of distinct pairs in a relation gives one question (8 x 7 = 56
    per relation), in the same form as the Google analogy set.
    """
    out: dict[str, list[tuple[str, str, str, str]]] = {}
    for rel, pairs in toy_relations().items():
        out[rel] = [(a, b, c, d) for a, b in pairs for c, d in pairs if a != c]
    return out


def make_toy_corpus(n_sentences: int = 20_000, seed: int = 0) -> list[list[str]]:
    """Generate ``n_sentences`` tokenized sentences of the toy world (list of token lists).

    Deterministic for a given ``(n_sentences, seed)``; it uses its own
    ``random.Random(seed)`` and leaves the global random state alone.
    """
    n_sentences = check_int(n_sentences, "n_sentences", minimum=1)
    # checked: random.Random(None) would seed from the clock, a different corpus every run
    rng = random.Random(check_seed(seed))
    relations = list(RELATIONS)
    corpus = []
    for _ in range(n_sentences):
        rel = rng.choice(relations)
        left, right, ctx = rng.choice(RELATIONS[rel])
        side = rng.randrange(2)
        word = (left, right)[side]
        template = rng.choice(_TEMPLATES[rel][side])
        corpus.append(template.format(x=word, c=ctx).split())
    return corpus
