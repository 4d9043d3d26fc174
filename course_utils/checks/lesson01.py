"""Exercise checkers of Lesson 01 (tokens to vectors)."""

from __future__ import annotations

from collections.abc import Callable

from course_utils.checks.common import (
    Verdict,
    close_judge,
    forbid_calls,
    forbids,
    fresh_rng,
    run_cases,
    scalar_judge,
)


@forbids("1.1 one-hot", ["one_hot"])
def check_one_hot(one_hot: Callable) -> Verdict:
    """Exercise 1.1: ``one_hot_encode(ids, num_classes)`` -> float tensor (n, num_classes),
    without ``F.one_hot``. Fresh ids on every call: repeats, the last class, an empty batch."""
    import torch


    def judge_for(ids: torch.Tensor, n: int):
        expected = torch.zeros(len(ids), n)
        expected[torch.arange(len(ids)), ids] = 1.0

        def judge(got):
            if not isinstance(got, torch.Tensor):
                return f"expected a torch.Tensor, got {type(got).__name__}"
            if tuple(got.shape) != tuple(expected.shape):
                return f"for {len(ids)} ids and {n} classes expected shape " \
                       f"{tuple(expected.shape)}, got {tuple(got.shape)}"
            if not got.is_floating_point():
                return f"expected a float tensor (so it can multiply a matrix), got {got.dtype}"
            if not torch.equal(got.detach().cpu().float(), expected):
                return f"wrong values for {len(ids)} ids and {n} classes"
            return None

        return judge

    rng = fresh_rng()
    cases = []
    for length, n in [(3, 3), (int(rng.integers(5, 30)), int(rng.integers(2, 6))),
                      (int(rng.integers(20, 60)), int(rng.integers(30, 200))), (0, 5)]:
        ids = torch.from_numpy(rng.integers(0, n, size=length)).long()
        if length:
            ids[0] = n - 1  # the last class must work too
        cases.append(((ids, n), judge_for(ids, n)))
    import torch.nn.functional as F

    with forbid_calls([(F, "one_hot"), (torch.nn.functional, "one_hot")]):
        return run_cases("1.1 one-hot", one_hot, cases,
                         "start from a zero tensor of shape (number of ids, num_classes) and set "
                         "one 1 per row, at the column the id names")


def check_embedding_memory(embedding_memory_mib: Callable) -> Verdict:
    """Exercise 1.2: ``embedding_memory_mib(vocab_size, dim, bytes_per_param)`` -> MiB."""
    rng = fresh_rng()
    cases = []
    for b in (4, 2, int(rng.choice([1, 8]))):
        v, d = int(rng.integers(1_000, 200_000)), int(rng.integers(8, 8192))
        cases.append(((v, d, b), scalar_judge(v * d * b / 2**20,
                                              f"for V={v:,}, d={d}, {b} bytes per parameter",
                                              rel=1e-6, abs_tol=1e-6)))
    return run_cases("1.2 embedding memory", embedding_memory_mib, cases,
                     "a table holds V x d numbers of bytes_per_param bytes each; 1 MiB = 2**20 "
                     "bytes (not 10**6)")


def _oov_reference(train, test, size):
    from collections import Counter

    counts = Counter(train)
    keep = {t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]}
    return sum(t not in keep for t in test) / len(test)


@forbids("1.3 OOV rate", ["oov_rate", "Vocab"])
def check_oov_rate(oov_rate: Callable) -> Verdict:
    """Exercise 1.3: ``held_out_oov_rate(train_tokens, test_tokens, vocab_size)`` -> float.

    Ties in frequency go alphabetically; fresh corpora on every call put tied words in
    reverse alphabetical order of first appearance, so insertion-order tie-breaking
    (``Counter.most_common``) gives a different answer. Every case's test tokens hold the
    first word left out (a vocabulary one word too big is caught), and one fixed case repeats
    an unknown token (counting distinct tokens is caught).
    """
    rng = fresh_rng()
    cases = [((["b", "b", "a", "a", "c"], ["a"], 1), None),  # the tie case, exactly
             ((["b", "b", "a", "a", "c"], ["c", "c", "a"], 1), None)]  # a repeat counts twice
    letters = list("abcdefghijklmnopqrstuvwxyz")
    for _ in range(3):
        words = ["".join(rng.choice(letters, size=3)) for _ in range(int(rng.integers(6, 12)))]
        words = sorted(set(words), reverse=True)  # first appearance: reverse alphabetical
        counts = rng.integers(1, 4, size=len(words))
        counts[: len(words) // 2] = counts[0]  # a tie group at the top
        train = [w for w, c in zip(words, counts, strict=True) for _ in range(int(c))]
        test = list(rng.choice(words + ["unseen", "zzz"], size=int(rng.integers(5, 15))))
        test.append(min(words))  # the alphabetical winner of the tie
        size = int(rng.integers(1, len(words)))
        ranked = [w for _, w in sorted(zip((-counts).tolist(), words, strict=True))]
        test.append(ranked[size])  # the first word the vocabulary leaves out
        cases.append(((train, [str(t) for t in test], size), None))
    cases = [(args, scalar_judge(_oov_reference(*args), f"with vocab_size={args[2]} on "
                                 f"{len(args[0])} training tokens", rel=1e-9, abs_tol=1e-9))
             for args, _ in cases]
    return run_cases("1.3 OOV rate", oov_rate, cases,
                     "count with Counter, then rank the words yourself by (-count, word) so that "
                     "ties go alphabetically: most_common keeps ties in order of first appearance")


def check_masked_mean(masked_mean: Callable) -> Verdict:
    """Exercise 1.4: ``masked_mean_pool(vectors (B, T, d), mask (B, T))`` -> (B, d).

    Fresh batches on every call, with padding at the start, in gaps and at the end, large
    values in padded positions, and float32 and float64 vectors.
    """
    import torch

    rng = fresh_rng()
    cases = []
    for dtype in (torch.float32, torch.float64, torch.float64):
        B, T, d = int(rng.integers(2, 6)), int(rng.integers(4, 9)), int(rng.integers(1, 6))
        mask = torch.from_numpy((rng.random((B, T)) < 0.6).astype("int64"))
        mask[0] = 0
        mask[0, T - 1] = 1  # padding at the start
        mask[1] = 1
        mask[1, 1:T - 1] = 0  # a gap in the middle
        for row in range(B):
            if mask[row].sum() == 0:
                mask[row, int(rng.integers(0, T))] = 1
        x = torch.from_numpy(rng.standard_normal((B, T, d))).to(dtype)
        expected = torch.stack([x[i][mask[i].bool()].mean(0) for i in range(B)])
        x[mask == 0] = 1e3  # what sits in padded positions must not matter
        cases.append(((x, mask), close_judge(expected, f"for a batch of shape {(B, T, d)}")))
    return run_cases("1.4 masked mean", masked_mean, cases,
                     "weight each position by its mask value (broadcast the mask over d), sum over "
                     "T, and divide by the number of real positions of that row; padding can be "
                     "anywhere, not only at the end")


def _bpe_merge_reference(word_counts: dict) -> tuple[tuple[str, str], dict]:
    from collections import Counter

    pairs: Counter = Counter()
    for word, count in word_counts.items():
        for a, b in zip(word, word[1:], strict=False):
            pairs[a, b] += count
    best = min(pairs, key=lambda p: (-pairs[p], p))
    merged = {}
    for word, count in word_counts.items():
        out, i = [], 0
        while i < len(word):
            if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                out.append(word[i] + word[i + 1])
                i += 2
            else:
                out.append(word[i])
                i += 1
        merged[tuple(out)] = merged.get(tuple(out), 0) + count
    return best, merged


def check_bpe_merge(bpe_merge_step: Callable) -> Verdict:
    """Exercise 1.5: ``bpe_merge_step(word_counts)`` -> ``(pair, new_word_counts)``.

    ``word_counts`` maps a word, a tuple of symbols, to its count. The pair is the adjacent
    pair with the largest total count (ties: the smallest pair, alphabetically), merged left
    to right without overlap in every word. Fresh vocabularies on every call, with a tie and
    a run like ``('a', 'a', 'a')``.
    """
    rng = fresh_rng()
    cases = [{("a", "a", "a"): 1, ("b", "a"): 1}]  # ('a','a') wins: no overlapping merge
    cases.append({("c", "b"): 2, ("b", "a"): 2, ("d",): 5})  # a tie: ('b','a') < ('c','b')
    cases.append({("x", "y"): 5, ("a", "b"): 1, ("a", "b", "c"): 1})  # counts decide: ('x','y')
    for _ in range(3):
        vocab = {}
        for _ in range(int(rng.integers(3, 9))):
            word = tuple(str(s) for s in rng.choice(list("abcd"), size=int(rng.integers(1, 7))))
            vocab[word] = vocab.get(word, 0) + int(rng.integers(1, 6))
        if not any(len(w) > 1 for w in vocab):
            vocab["a", "b"] = 1
        cases.append(vocab)

    def judge_for(vocab):
        pair, merged = _bpe_merge_reference(vocab)

        def judge(got):
            if not isinstance(got, tuple | list) or len(got) != 2:
                return "expected a tuple (pair, new_word_counts)"
            got_pair, got_merged = got
            if not isinstance(got_merged, dict):
                return f"new_word_counts should be a dict, got {type(got_merged).__name__}"
            if tuple(got_pair) != pair:
                return f"for a vocabulary of {len(vocab)} words the pair {tuple(got_pair)} " \
                       "is not the most frequent one (counts weighted by word count, ties " \
                       "to the alphabetically smallest pair)"
            if {tuple(k): v for k, v in got_merged.items()} != merged:
                return f"the pair {pair} is right but the merged words are not"
            return None

        return judge

    return run_cases("1.5 BPE merge step", bpe_merge_step,
                     [((dict(v),), judge_for(v)) for v in cases],
                     "count every adjacent pair, adding the word's count each time; choose with "
                     "min over (-count, pair); then rebuild each word scanning left to right, "
                     "jumping two symbols after a merge")


@forbids("1.6 lookup gradient", ["backward", "grad", "autograd"])
def check_lookup_gradient(lookup_gradient: Callable) -> Verdict:
    """Exercise 1.6: ``lookup_gradient(ids (n,), upstream (n, d), num_embeddings)`` -> (V, d):
    the gradient of ``(emb[ids] * upstream).sum()`` with respect to ``emb``, without autograd.
    Fresh ids on every call, with repeated ids (their gradients add up) and unused rows."""
    import torch

    rng = fresh_rng()
    cases = []
    for dtype in (torch.float32, torch.float64, torch.float32):
        V, d, n = int(rng.integers(3, 40)), int(rng.integers(1, 8)), int(rng.integers(2, 30))
        ids = torch.from_numpy(rng.integers(0, V, size=n)).long()
        ids[-1] = ids[0]  # a repeated id
        upstream = torch.from_numpy(rng.standard_normal((n, d))).to(dtype)
        emb = torch.zeros(V, d, dtype=torch.float64, requires_grad=True)
        (emb[ids] * upstream.double()).sum().backward()
        cases.append(((ids, upstream, V), close_judge(emb.grad, f"for {n} ids into {V} rows")))
    with forbid_calls([(torch.autograd, "grad"), (torch.autograd, "backward"),
                       (torch.Tensor, "backward")]):
        return run_cases("1.6 lookup gradient", lookup_gradient, cases,
                         "start from zeros of shape (num_embeddings, d); each position adds its "
                         "upstream row to the row of its id; plain indexed assignment loses "
                         "repeats, an index-add does not")
