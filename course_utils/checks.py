"""Exercise checkers: call one with your function and read the verdict.

Each ``check_*`` runs your function on cases whose answers it knows and returns a
``Verdict`` (shown as one friendly line in a notebook). ``verdict.passed`` is ``True``
only when every case is right. Checkers never raise: an exercise left as
``raise NotImplementedError`` gets a "not attempted yet" verdict, so a notebook with
unfinished exercises still runs top to bottom.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Verdict:
    """The outcome of one exercise check."""

    exercise: str
    passed: bool
    message: str

    def __repr__(self) -> str:
        mark = "✅ correct" if self.passed else "❌ not yet"
        return f"{mark} [{self.exercise}]: {self.message}"

    __str__ = __repr__


def _run(exercise: str, fn: Callable, cases: list[tuple[tuple, Callable[[object], str | None]]],
         hint: str) -> Verdict:
    """Call ``fn(*args)`` per case; each judge returns None when right, else what was wrong."""
    if not callable(fn):
        return Verdict(exercise, False, f"pass your function itself, not {type(fn).__name__}")
    for args, judge in cases:
        try:
            got = fn(*args)
        except NotImplementedError:
            return Verdict(exercise, False,
                           "not attempted yet: replace `raise NotImplementedError` with your code")
        except Exception as exc:  # a learner's bug: report it, don't crash the notebook
            return Verdict(exercise, False,
                           f"your function raised {type(exc).__name__}: {exc}. Hint: {hint}")
        try:
            problem = judge(got)
        except Exception as exc:
            problem = f"the result could not be checked ({type(exc).__name__}: {exc})"
        if problem:
            return Verdict(exercise, False, f"{problem}. Hint: {hint}")
    return Verdict(exercise, True, f"all {len(cases)} cases pass")


def _close_judge(expected, what: str, atol: float = 1e-5, want: str = "tensor"):
    """A judge for an array answer: right type (``want`` = "tensor" or "array"), shape, values.

    NaN never counts as close. A torch answer to a numpy exercise is accepted and converted.
    """
    import numpy as np
    import torch

    expected = np.asarray(expected.detach().cpu() if hasattr(expected, "detach") else expected,
                          dtype=np.float64)

    def judge(got):
        if want == "tensor" and not isinstance(got, torch.Tensor):
            return f"expected a torch.Tensor, got {type(got).__name__}"
        if hasattr(got, "detach"):
            got = got.detach().cpu().numpy()
        if not isinstance(got, np.ndarray):
            return f"expected a numpy array, got {type(got).__name__}"
        if tuple(got.shape) != expected.shape:
            return f"{what}: expected shape {expected.shape}, got {tuple(got.shape)}"
        got = got.astype(np.float64)
        if not np.allclose(got, expected, atol=atol):
            worst = float(np.nanmax(np.abs(got - expected))) if np.isfinite(got).any() else np.nan
            return f"{what}: values differ from the reference (largest difference {worst:.3g})"
        return None

    return judge


# --------------------------------------------------------------------------- shared helpers
# (lessons 01-03 block: fresh inputs per call, and "do not use X" enforcement)


def fresh_rng():
    """A numpy Generator seeded anew on every call, so a checker never judges the same inputs
    twice (an answer that memorises the inputs of one run fails the next one)."""
    import os

    import numpy as np

    return np.random.default_rng(int.from_bytes(os.urandom(8), "little"))


def forbidden_names_used(fn: Callable, names: list[str]) -> list[str]:
    """Which of ``names`` (such as "one_hot") ``fn``'s source uses as an attribute or calls.

    Reads the source with ``inspect``; a function whose source cannot be read (built in a
    string) yields [] here and is still caught at run time by ``forbid_calls``.
    """
    import ast
    import inspect
    import textwrap

    try:
        source = textwrap.dedent(inspect.getsource(fn))
    except (OSError, TypeError):
        return []
    try:
        tree = ast.parse(source)
    except SyntaxError:  # a lambda inside a larger expression: parse from "lambda" on
        start = source.find("lambda")
        tree = None
        for end in range(len(source), start, -1):
            try:
                tree = ast.parse(source[start:end].strip(), mode="eval")
                break
            except SyntaxError:
                continue
        if start < 0 or tree is None:
            return []
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:  # F.one_hot, x.backward
            used.add(node.attr)
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
              and node.func.id in names):  # one_hot(...) after a from-import; not a variable
            used.add(node.func.id)
    return sorted(used)


class ForbiddenCallError(RuntimeError):
    """An exercise's function called a library function the exercise asks not to use."""


def forbid_calls(targets: list[tuple[object, str]]):
    """Context manager: while active, ``module.attr`` for each ``(module, attr)`` raises
    ``ForbiddenCallError`` (so ``F.one_hot`` inside an answer fails even under another name)."""
    from contextlib import contextmanager

    @contextmanager
    def guard():
        saved = [(mod, attr, getattr(mod, attr)) for mod, attr in targets]

        def blocker(name):
            def blocked(*args, **kwargs):
                raise ForbiddenCallError(f"the exercise asks you not to call {name}; "
                                         "build it from simpler operations")
            return blocked

        try:
            for mod, attr, _ in saved:
                setattr(mod, attr, blocker(attr))
            yield
        finally:
            for mod, attr, original in saved:
                setattr(mod, attr, original)

    return guard()


def _forbidden_verdict(exercise: str, fn: Callable, names: list[str]) -> Verdict | None:
    used = forbidden_names_used(fn, names) if callable(fn) else []
    if used:
        return Verdict(exercise, False, f"the exercise asks you not to use {', '.join(used)}: "
                       "write it with basic tensor operations")
    return None


def _float_judge(expected: float, what: str, tol: float = 1e-9):
    """A judge for a number: Python, numpy or 0-d torch floats all count; never shows the
    expected value."""
    import numbers

    def judge(got):
        if hasattr(got, "item") and getattr(got, "ndim", 0) == 0:
            got = got.item()
        if isinstance(got, bool) or not isinstance(got, numbers.Real):
            return f"{what}: expected a number, got {type(got).__name__}"
        if not abs(float(got) - expected) <= tol * max(1.0, abs(expected)):  # NaN fails
            return f"{what}: your value {float(got):.4g} is not right"
        return None

    return judge


# (lessons 04 and 06 block)


def _forbidden_use(fn: Callable, forbidden: dict[str, str]) -> str | None:
    """The first forbidden call that ``fn`` (or a helper function it calls) names, else None.

    ``forbidden`` maps a dotted name (``"scipy.stats.spearmanr"``) to how the prompt words
    it. A name counts when the function's code refers to that very object (whatever it was
    imported as) or reads an attribute of that name (``stats.spearmanr``).
    """
    import builtins
    import importlib
    import types

    targets, attrs = {}, {}
    for dotted, label in forbidden.items():
        module, _, attr = dotted.rpartition(".")
        attrs[attr] = label if attrs.get(attr, label) == label else f"a library's {attr}"
        try:
            targets[id(getattr(importlib.import_module(module), attr))] = label
        except (ImportError, AttributeError):
            pass
    seen: set[int] = set()

    def names_of(code):
        yield from code.co_names
        for const in code.co_consts:
            if isinstance(const, types.CodeType):
                yield from names_of(const)

    def scan(f, depth: int) -> str | None:
        f = getattr(f, "__func__", f)
        code = getattr(f, "__code__", None)
        if code is None or id(f) in seen or depth > 3:
            return None
        seen.add(id(f))
        env = getattr(f, "__globals__", {})
        closure = [c.cell_contents for c in (f.__closure__ or ()) if c.cell_contents is not None]
        for obj in closure:
            if id(obj) in targets:
                return targets[id(obj)]
        for name in names_of(code):
            obj = env.get(name, getattr(builtins, name, None))
            if obj is None:
                if name in attrs:  # an attribute read such as stats.spearmanr
                    return attrs[name]
                continue
            if id(obj) in targets:
                return targets[id(obj)]
            if isinstance(obj, types.FunctionType) and obj.__module__ == getattr(f, "__module__",
                                                                                   None):
                found = scan(obj, depth + 1)  # a helper the learner wrote
                if found:
                    return found
        for obj in closure:
            if isinstance(obj, types.FunctionType):
                found = scan(obj, depth + 1)
                if found:
                    return found
        return None

    return scan(fn, 0)


def _scalar(got) -> float | None:
    """A real number from a float, numpy scalar or 0-d array/tensor; None for anything else."""
    import numbers

    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if hasattr(got, "shape") and hasattr(got, "item") and getattr(got, "shape", None) == ():
        got = got.item()
    if isinstance(got, bool) or not isinstance(got, numbers.Real):
        return None
    return float(got)


# --------------------------------------------------------------------------- lesson 01


def check_one_hot(one_hot: Callable) -> Verdict:
    """Exercise 1.1: ``one_hot_encode(ids, num_classes)`` -> float tensor (n, num_classes),
    without ``F.one_hot``. Fresh ids on every call: repeats, the last class, an empty batch."""
    import torch

    exercise = "1.1 one-hot"
    if (bad := _forbidden_verdict(exercise, one_hot, ["one_hot"])) is not None:
        return bad

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
        return _run(exercise, one_hot, cases,
                    "start from a zero tensor of shape (number of ids, num_classes) and set one "
                    "1 per row, at the column the id names")


def check_embedding_memory(embedding_memory_mib: Callable) -> Verdict:
    """Exercise 1.2: ``embedding_memory_mib(vocab_size, dim, bytes_per_param)`` -> MiB."""
    rng = fresh_rng()
    cases = []
    for b in (4, 2, int(rng.choice([1, 8]))):
        v, d = int(rng.integers(1_000, 200_000)), int(rng.integers(8, 8192))
        cases.append(((v, d, b), _float_judge(v * d * b / 2**20,
                                              f"for V={v:,}, d={d}, {b} bytes per parameter",
                                              tol=1e-6)))
    return _run("1.2 embedding memory", embedding_memory_mib, cases,
                "a table holds V x d numbers of bytes_per_param bytes each; 1 MiB = 2**20 bytes "
                "(not 10**6)")


def _oov_reference(train, test, size):
    from collections import Counter

    counts = Counter(train)
    keep = {t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:size]}
    return sum(t not in keep for t in test) / len(test)


def check_oov_rate(oov_rate: Callable) -> Verdict:
    """Exercise 1.3: ``held_out_oov_rate(train_tokens, test_tokens, vocab_size)`` -> float.

    Ties in frequency go alphabetically; fresh corpora on every call put tied words in
    reverse alphabetical order of first appearance, so insertion-order tie-breaking
    (``Counter.most_common``) gives a different answer.
    """
    exercise = "1.3 OOV rate"
    if (bad := _forbidden_verdict(exercise, oov_rate, ["oov_rate", "Vocab"])) is not None:
        return bad
    rng = fresh_rng()
    cases = [((["b", "b", "a", "a", "c"], ["a"], 1), None)]  # the tie case, exactly
    letters = list("abcdefghijklmnopqrstuvwxyz")
    for _ in range(4):
        words = ["".join(rng.choice(letters, size=3)) for _ in range(int(rng.integers(6, 12)))]
        words = sorted(set(words), reverse=True)  # first appearance: reverse alphabetical
        counts = rng.integers(1, 4, size=len(words))
        counts[: len(words) // 2] = counts[0]  # a tie group at the top
        train = [w for w, c in zip(words, counts, strict=True) for _ in range(int(c))]
        test = list(rng.choice(words + ["unseen", "zzz"], size=int(rng.integers(5, 15))))
        test.append(min(words))  # the alphabetical winner of the tie
        size = int(rng.integers(1, len(words)))
        cases.append(((train, [str(t) for t in test], size), None))
    cases = [(args, _float_judge(_oov_reference(*args), f"with vocab_size={args[2]} on "
                                 f"{len(args[0])} training tokens", tol=1e-9))
             for args, _ in cases]
    return _run(exercise, oov_rate, cases,
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
        cases.append(((x, mask), _close_judge(expected, f"for a batch of shape {(B, T, d)}",
                                              atol=1e-5)))
    return _run("1.4 masked mean", masked_mean, cases,
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

    return _run("1.5 BPE merge step", bpe_merge_step,
                [((dict(v),), judge_for(v)) for v in cases],
                "count every adjacent pair, adding the word's count each time; choose with "
                "min over (-count, pair); then rebuild each word scanning left to right, "
                "jumping two symbols after a merge")


def check_lookup_gradient(lookup_gradient: Callable) -> Verdict:
    """Exercise 1.6: ``lookup_gradient(ids (n,), upstream (n, d), num_embeddings)`` -> (V, d):
    the gradient of ``(emb[ids] * upstream).sum()`` with respect to ``emb``, without autograd.
    Fresh ids on every call, with repeated ids (their gradients add up) and unused rows."""
    import torch

    exercise = "1.6 lookup gradient"
    if (bad := _forbidden_verdict(exercise, lookup_gradient,
                                  ["backward", "grad", "autograd"])) is not None:
        return bad
    rng = fresh_rng()
    cases = []
    for dtype in (torch.float32, torch.float64, torch.float32):
        V, d, n = int(rng.integers(3, 40)), int(rng.integers(1, 8)), int(rng.integers(2, 30))
        ids = torch.from_numpy(rng.integers(0, V, size=n)).long()
        ids[-1] = ids[0]  # a repeated id
        upstream = torch.from_numpy(rng.standard_normal((n, d))).to(dtype)
        emb = torch.zeros(V, d, dtype=torch.float64, requires_grad=True)
        (emb[ids] * upstream.double()).sum().backward()
        cases.append(((ids, upstream, V), _close_judge(emb.grad, f"for {n} ids into {V} rows",
                                                        atol=1e-5)))
    with forbid_calls([(torch.autograd, "grad"), (torch.autograd, "backward"),
                       (torch.Tensor, "backward")]):
        return _run(exercise, lookup_gradient, cases,
                    "start from zeros of shape (num_embeddings, d); each position adds its "
                    "upstream row to the row of its id; plain indexed assignment loses "
                    "repeats, an index-add does not")


# --------------------------------------------------------------------------- lesson 03


def check_causal_swap(unchanged_after_swap: Callable) -> Verdict:
    """Exercise 3.1 (predict, then check): ``unchanged_after_swap(seq_len, i, j)`` -> the
    positions whose output of one causal self-attention layer (no position information) stays
    the same when the tokens at positions ``i < j`` are swapped. Fresh cases on every call,
    with the edges i = 0, j = seq_len - 1 and adjacent i, j."""
    rng = fresh_rng()
    cases = []
    for _ in range(3):
        T = int(rng.integers(4, 12))
        i, j = sorted(int(v) for v in rng.choice(T, size=2, replace=False))
        cases.append((T, i, j))
    T = int(rng.integers(3, 9))
    cases += [(T, 0, T - 1), (T, 1, 2), (T, T - 2, T - 1)]

    def judge_for(T, i, j):
        expected = set(range(i)) | set(range(j + 1, T))

        def judge(got):
            if hasattr(got, "tolist"):
                got = got.tolist()
            try:
                got_set = {int(v) for v in got}
            except (TypeError, ValueError):
                return f"expected a collection of positions (ints), got {type(got).__name__}"
            if got_set != expected:
                return f"for seq_len={T}, swapping positions {i} and {j}: that set of " \
                       "unchanged positions is not right"
            return None

        return judge

    return _run("3.1 causal swap", unchanged_after_swap,
                [((T, i, j), judge_for(T, i, j)) for T, i, j in cases],
                "a causal query at position t sees only the keys 0..t, and attention treats "
                "the keys it sees as a set; ask, for each t, whether its query or that set "
                "changed")


def check_rope(rope_rotate: Callable) -> Verdict:
    """Exercise 3.2: ``rope_heads(x (B, H, T, d), positions (T,))``, split-half convention.

    Fresh batches on every call: several shapes, positions that do not start at 0 (a
    decode step with a cache), float32 and float64.
    """
    import numpy as np
    import torch

    from course_utils.positions import rope

    exercise = "3.2 RoPE on heads"
    if (bad := _forbidden_verdict(exercise, rope_rotate, ["rope", "rope_frequencies"])) \
            is not None:
        return bad
    rng = fresh_rng()
    cases = []
    for (B, H, T, d), dtype in [((1, 1, 3, 2), torch.float32),
                                ((int(rng.integers(1, 4)), int(rng.integers(2, 5)),
                                  int(rng.integers(2, 7)), 8), torch.float64),
                                ((2, 3, int(rng.integers(1, 6)), 16), torch.float32)]:
        x = torch.from_numpy(rng.standard_normal((B, H, T, d))).to(dtype)
        start = int(rng.integers(0, 500))
        pos = torch.arange(start, start + T)
        if T > 2:  # positions with gaps, as after a cache or packing
            pos = torch.from_numpy(np.sort(rng.choice(2000, size=T, replace=False)))
        expected = rope(x.double(), pos)  # (B, H, T, d): rope broadcasts over leading dims
        cases.append(((x, pos), _close_judge(expected, f"for x of shape {(B, H, T, d)}",
                                              atol=1e-4)))
    return _run(exercise, rope_rotate, cases,
                "one angle per (position, pair): positions times the inverse frequencies "
                "base ** (-2i / d), shaped (T, d/2) so it broadcasts over batch and heads; "
                "dimension i pairs with i + d/2")


def check_alibi_slopes(head_slopes: Callable) -> Verdict:
    """Exercise 3.3: ``head_slopes(n_heads)`` -> list of ALiBi slopes (powers of two)."""
    from course_utils.positions import alibi_slopes

    exercise = "3.3 ALiBi slopes"
    if (bad := _forbidden_verdict(exercise, head_slopes, ["alibi_slopes"])) is not None:
        return bad
    rng = fresh_rng()
    sizes = [1, 8] + [int(v) for v in rng.choice([2, 4, 16, 32, 64], size=2, replace=False)]

    def judge_for(n):
        expected = alibi_slopes(n).tolist()

        def judge(got):
            if hasattr(got, "tolist"):
                got = got.tolist()
            try:
                values = [float(v) for v in got]
            except TypeError:
                return f"expected a list of {n} floats, got {type(got).__name__}"
            if len(values) != n:
                return f"for {n} heads expected {n} slopes, got {len(values)}"
            if not all(abs(a - b) <= 1e-6 for a, b in zip(values, expected, strict=True)):
                return f"for {n} heads the slopes are not right (first head's: " \
                       f"{values[0]:.5g})"
            return None

        return judge

    return _run(exercise, head_slopes, [((n,), judge_for(n)) for n in sizes],
                "the slopes form a geometric sequence whose ratio equals its first term, and "
                "the last slope is 2 ** -8 for every power-of-two head count")


def check_relative_bias(toeplitz_bias: Callable) -> Verdict:
    """Exercise 3.4: ``toeplitz_bias(values (2T-1,), T)`` -> (T, T) with values[j - i + T - 1].
    Fresh values on every call, float32 and float64, T = 1 included."""
    import torch

    from course_utils.positions import relative_positions

    rng = fresh_rng()
    cases = []
    for T, dtype in [(1, torch.float32), (int(rng.integers(2, 5)), torch.float64),
                     (int(rng.integers(5, 12)), torch.float32)]:
        values = torch.from_numpy(rng.standard_normal(2 * T - 1)).to(dtype)
        expected = values.double()[relative_positions(T, T) + T - 1]
        cases.append(((values, T), _close_judge(expected, f"for seq_len={T}")))
    return _run("3.4 relative bias", toeplitz_bias, cases,
                "build the matrix of offsets j - i (a column of query positions against a row "
                "of key positions), shift it so the smallest offset indexes 0, and use it to "
                "index values")


# --------------------------------------------------------------------------- lesson 02


def check_xavier_uniform(xavier_uniform_table: Callable) -> Verdict:
    """Exercise 2.1: ``xavier_uniform_table(num_embeddings, dim)`` -> U(±sqrt(6/(V+d))).

    Fresh sizes on every call. Judges the bound (1 % either way), the shape of the
    distribution (ten equal bins of |x|/b each hold about a tenth), and the mean; a normal
    draw, a bound a few percent off, or a two-valued ±b/√3 table all fail.
    """
    import math

    import torch

    exercise = "2.1 Xavier uniform"
    if (bad := _forbidden_verdict(exercise, xavier_uniform_table,
                                  ["xavier_uniform_", "xavier_normal_", "init_embedding",
                                   "kaiming_uniform_"])) is not None:
        return bad

    def judge_for(v: int, d: int):
        bound = math.sqrt(6 / (v + d))

        def judge(got):
            if not isinstance(got, torch.Tensor):
                return f"expected a torch.Tensor, got {type(got).__name__}"
            if tuple(got.shape) != (v, d):
                return f"expected shape ({v}, {d}), got {tuple(got.shape)}"
            if not got.is_floating_point():
                return f"expected a float tensor, got {got.dtype}"
            x = got.detach().cpu().double()
            if not torch.isfinite(x).all():
                return "the table holds NaN or inf values"
            top = x.abs().max().item()
            if top > bound * 1.0001:
                return f"for V={v}, d={d} some entries lie outside ±b (b = sqrt(6 / (V + d)))"
            if top < bound * 0.99:
                return f"for V={v}, d={d} no entry comes near ±b: is your bound too small?"
            shares = torch.histc(x.abs() / bound, bins=10, min=0, max=1) / x.numel()
            if (shares - 0.1).abs().max().item() > 0.02:
                return f"for V={v}, d={d} the values are not spread evenly over (-b, b): " \
                       "a uniform draw puts about a tenth of |x| / b in each tenth of [0, 1]"
            if abs(x.mean().item()) > 0.02 * bound:
                return "the mean should be about 0: draw from -b to +b"
            return None

        return judge

    rng = fresh_rng()
    sizes = [(int(rng.integers(1000, 4000)), int(rng.integers(16, 64))),
             (int(rng.integers(200, 600)), int(rng.integers(200, 400))),
             (int(rng.integers(20000, 40000)), int(rng.integers(2, 9)))]
    with forbid_calls([(torch.nn.init, "xavier_uniform_"), (torch.nn.init, "uniform_")]):
        return _run(exercise, xavier_uniform_table, [((v, d), judge_for(v, d)) for v, d in sizes],
                    "torch.rand draws from U(0, 1): stretch and shift it so it covers (-b, b)")


def check_layer_norm(layer_norm_rows: Callable) -> Verdict:
    """Exercise 2.2: ``layer_norm_rows(x (..., d), weight (d,), bias (d,), eps)`` -> same shape,
    LayerNorm over the last dimension without ``F.layer_norm``/``nn.LayerNorm``. Fresh inputs
    on every call: 2-D and 3-D, small d (where the n-1 variance differs), rows scaled by 1000,
    a constant row, float32 and float64."""
    import torch
    import torch.nn.functional as F

    exercise = "2.2 LayerNorm"
    if (bad := _forbidden_verdict(exercise, layer_norm_rows,
                                  ["layer_norm", "LayerNorm"])) is not None:
        return bad
    rng = fresh_rng()
    cases = []
    for shape, dtype, eps, scale in [((int(rng.integers(2, 6)), 3), torch.float64, 1e-5, 1.0),
                                     ((2, int(rng.integers(2, 5)), int(rng.integers(8, 33))),
                                      torch.float32, 1e-5, 1000.0),
                                     ((int(rng.integers(3, 7)), int(rng.integers(4, 12))),
                                      torch.float64, 1e-3, 0.03)]:  # eps matters here
        x = torch.from_numpy(rng.standard_normal(shape) * scale * rng.uniform(0.8, 1.2)) \
            .to(dtype)
        x.reshape(-1, shape[-1])[0] = 2.5  # a constant row: only eps keeps it finite
        d = shape[-1]
        weight = torch.from_numpy(rng.uniform(0.5, 2, d)).to(dtype)
        bias = torch.from_numpy(rng.standard_normal(d)).to(dtype)
        expected = F.layer_norm(x.double(), (d,), weight.double(), bias.double(), eps)
        cases.append(((x, weight, bias, eps),
                      _close_judge(expected, f"for x of shape {shape} and eps={eps}", atol=1e-4)))
    with forbid_calls([(F, "layer_norm"), (torch, "layer_norm")]):
        return _run(exercise, layer_norm_rows, cases,
                    "per row: subtract the mean, divide by the square root of (the biased "
                    "variance, dividing by d, plus eps), then scale by weight and add bias")


def check_tied_logit_std(tied_logit_std: Callable) -> Verdict:
    """Exercise 2.3 (predict, then check): ``tied_logit_std(dim, std)`` -> the standard
    deviation of the logits ``LayerNorm(h) · E[j]`` of a tied output layer at initialization,
    for rows ``E[j]`` drawn from N(0, std²) and a LayerNorm with gain 1 and bias 0."""
    import math

    rng = fresh_rng()
    cases = [(int(d), float(s)) for d, s in
             [(768, 0.02), (int(rng.integers(16, 4096)), rng.uniform(0.005, 2.0)),
              (int(rng.integers(2, 64)), rng.uniform(0.1, 1.0))]]
    return _run("2.3 tied logit std", tied_logit_std,
                [((d, s), _float_judge(math.sqrt(d) * s, f"for dim={d}, std={s:.3g}",
                                       tol=1e-6)) for d, s in cases],
                "after LayerNorm every coordinate of h has mean 0 and variance 1, so what is "
                "|h|²? A logit is a sum of d products h_k E[j, k]: add their variances")


def check_oov_mean_fill(fill_oov_with_mean: Callable) -> Verdict:
    """Exercise 2.4: ``fill_oov_with_mean(emb (V, d), found (V,) bool)`` -> (V, d).
    Fresh tables on every call: none missing, several missing, float32 and float64."""
    import torch

    rng = fresh_rng()
    cases = []
    for V, d, n_missing, dtype in [(int(rng.integers(4, 8)), 3, 0, torch.float32),
                                   (int(rng.integers(8, 30)), int(rng.integers(2, 9)), 3,
                                    torch.float64),
                                   (int(rng.integers(30, 60)), 5, 20, torch.float32)]:
        emb = torch.from_numpy(rng.standard_normal((V, d)) + rng.uniform(-3, 3)).to(dtype)
        found = torch.ones(V, dtype=torch.bool)
        found[torch.from_numpy(rng.choice(V, size=n_missing, replace=False)).long()] = False
        expected = emb.clone().double()
        expected[~found] = emb.double()[found].mean(0)
        original = emb.clone()
        tensor_judge = _close_judge(expected, f"for {n_missing} missing rows of {V}")

        def judge(got, original=original, emb=emb, tensor_judge=tensor_judge):
            if not torch.equal(emb, original):
                return "your function changed emb in place; work on a copy"
            return tensor_judge(got)

        cases.append(((emb, found), judge))
    return _run("2.4 OOV mean fill", fill_oov_with_mean, cases,
                "copy the table first; the mean is over the found rows only, and it goes into "
                "every row whose found flag is False")


def check_orthogonal_widen(widen_orthogonal: Callable) -> Verdict:
    """Exercise 2.5: ``widen_orthogonal(emb (V, d), new_dim, seed)`` -> (V, new_dim) whose rows
    keep every dot product of ``emb`` exactly and use every new coordinate (no dead column).
    Fresh tables on every call, float32 and float64."""
    import torch

    exercise = "2.5 semi-orthogonal widening"
    if (bad := _forbidden_verdict(exercise, widen_orthogonal, ["widen"])) is not None:
        return bad
    rng = fresh_rng()
    cases = []
    for V, d, new_dim, dtype in [(int(rng.integers(20, 60)), 4, 9, torch.float64),
                                 (int(rng.integers(50, 120)), int(rng.integers(8, 20)),
                                  int(rng.integers(40, 80)), torch.float32),
                                 (int(rng.integers(10, 30)), 6, 6, torch.float64)]:
        emb = torch.from_numpy(rng.standard_normal((V, d)) * rng.uniform(0.1, 5)).to(dtype)
        seed = int(rng.integers(0, 10_000))

        def judge(got, emb=emb, new_dim=new_dim):
            if not isinstance(got, torch.Tensor):
                return f"expected a torch.Tensor, got {type(got).__name__}"
            V, d = emb.shape
            if tuple(got.shape) != (V, new_dim):
                return f"expected shape {(V, new_dim)}, got {tuple(got.shape)}"
            g = got.detach().double()
            e = emb.double()
            if not torch.allclose(g @ g.T, e @ e.T, rtol=1e-4, atol=1e-4 * e.abs().max() ** 2):
                return f"for a ({V}, {d}) table widened to {new_dim}: dot products between " \
                       "rows changed; the map must have orthonormal columns"
            if (g.norm(dim=0) < 1e-6 * e.norm()).any():
                return f"for a ({V}, {d}) table widened to {new_dim}: some new coordinates " \
                       "are zero for every row (dead), as in zero padding"
            return None

        cases.append(((emb, new_dim, seed), judge))
    return _run(exercise, widen_orthogonal, cases,
                "draw a (new_dim, d) Gaussian matrix, take the Q of its reduced QR "
                "decomposition (torch.linalg.qr), and map each row through it")


def check_paired_bootstrap(paired_bootstrap_interval: Callable) -> Verdict:
    """Exercise 2.6: ``paired_bootstrap_interval(acc_a, acc_b, level, n_boot, seed)`` ->
    ``(low, high)``: a percentile bootstrap interval for mean(acc_a - acc_b), resampling
    *pairs* (the same folds for both). Fresh, strongly correlated scores on every call, so an
    unpaired interval (resampling a and b independently) comes out far too wide."""
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, level in [(10, 0.95), (int(rng.integers(15, 40)), 0.9), (int(rng.integers(8, 20)), 0.8)]:
        base = rng.uniform(0.4, 0.8, n)
        a = np.clip(base + rng.normal(0.03, 0.01, n), 0, 1)
        b = base
        diffs = a - b
        boot = rng.choice(diffs, size=(40_000, n)).mean(1)
        lo, hi = np.quantile(boot, [(1 - level) / 2, (1 + level) / 2])
        mean = float(diffs.mean())

        def judge(got, lo=lo, hi=hi, n=n, level=level, mean=mean):
            try:
                g_lo, g_hi = (float(v) for v in got)
            except (TypeError, ValueError):
                return f"expected a pair (low, high), got {type(got).__name__}"
            if not g_lo <= mean <= g_hi:
                return f"for {n} paired scores the interval does not contain the mean difference"
            width, g_width = hi - lo, g_hi - g_lo
            if abs(g_width - width) > 0.15 * width or abs(g_lo - lo) > 0.15 * width:
                return f"for {n} paired scores at level {level}: the interval's width is off " \
                       f"by a factor {g_width / width:.2f} (pairs resampled together? the " \
                       "right quantiles for this level?)"
            return None

        cases.append(((a.tolist(), b.tolist(), level, 20_000, int(rng.integers(0, 1000))), judge))
    return _run("2.6 paired bootstrap", paired_bootstrap_interval, cases,
                "the paired differences are the data: resample their indices with replacement, "
                "average, repeat n_boot times, and take the (1 - level)/2 and (1 + level)/2 "
                "quantiles")


# --------------------------------------------------------------------------- lesson 05
# Every lesson-05 checker draws fresh cases on each call (a new seed from the OS), never shows
# the expected value of a case it judged, and accepts numpy or torch answers in any float dtype.


def _l05_source_uses(fn: Callable, names: tuple[str, ...]) -> str | None:
    """The first of ``names`` that appears in ``fn``'s source code, or None."""
    import inspect

    try:
        source = inspect.getsource(fn)
    except (OSError, TypeError):
        return None
    return next((name for name in names if name in source), None)


def _l05_number(got) -> float | None:
    """A real number from a Python, numpy or 0-d torch/numpy answer; None otherwise."""
    import numbers

    import numpy as np

    if hasattr(got, "detach"):
        got = got.detach().cpu().numpy()
    if isinstance(got, np.ndarray) and got.ndim == 0:
        got = got[()]
    if isinstance(got, bool | np.bool_) or not isinstance(got, numbers.Real):
        return None
    return float(got)


def check_sgns_gradients(sgns_gradients: Callable) -> Verdict:
    """Exercise 5.1: ``sgns_gradients(v (d,), u_pos (d,), u_neg (K, d))`` -> three gradients
    of the loss of one pair, derived by hand (no autograd)."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    used = _l05_source_uses(sgns_gradients, ("autograd", "backward(", "requires_grad"))
    if used:
        return Verdict("5.1 SGNS gradients", False, f"your function uses `{used}`: derive the "
                       "gradients by hand, autograd is what they are checked against")

    def judge_for(v, u_pos, u_neg):
        leaves = [t.detach().double().clone().requires_grad_() for t in (v, u_pos, u_neg)]
        a, b, c = leaves
        loss = -F.logsigmoid(a @ b) - F.logsigmoid(-(c @ a)).sum()
        expected = [g.numpy() for g in torch.autograd.grad(loss, leaves)]
        d, k = len(v), len(u_neg)

        def judge(got):
            if not isinstance(got, tuple | list) or len(got) != 3:
                return "expected a tuple (grad_v, grad_u_pos, grad_u_neg)"
            for name, g, e in zip(("grad_v", "grad_u_pos", "grad_u_neg"), got, expected,
                                  strict=True):
                if hasattr(g, "detach"):
                    g = g.detach().cpu().numpy()
                if not isinstance(g, np.ndarray) or g.shape != e.shape:
                    shape = tuple(g.shape) if hasattr(g, "shape") else type(g).__name__
                    return f"{name} should have shape {e.shape}, got {shape}"
                if not np.allclose(g.astype(np.float64), e, rtol=1e-4, atol=1e-5):
                    return f"{name} is not the gradient of the loss for d={d}, K={k}"
            return None

        return judge

    rng = fresh_rng()
    cases = []
    for d, k, scale in [(int(rng.integers(2, 5)), 1, 1.0), (int(rng.integers(4, 9)),
                                                          int(rng.integers(2, 7)), 1.0),
                        (int(rng.integers(3, 7)), int(rng.integers(2, 5)), 4.0)]:
        dtype = torch.float32 if d % 2 else torch.float64
        args = tuple(torch.from_numpy(rng.normal(0, scale, size)).to(dtype)
                     for size in (d, d, (k, d)))
        cases.append((args, judge_for(*args)))
    return _run("5.1 SGNS gradients", sgns_gradients, cases,
                "write the loss as -log sigmoid(x) for the true pair plus -log sigmoid(-x) for "
                "each negative, with x a dot product; differentiate log sigmoid once, then use "
                "the chain rule: the derivative of v.u with respect to v is u, and to u is v")


def check_sgns_step(sgns_step: Callable) -> Verdict:
    """Exercise 5.2: ``sgns_step(w_in, w_out, inp, out, negatives, lr)`` updates both tables in
    place: one word2vec update for one pair, negatives equal to ``out`` skipped."""
    import numpy as np

    from course_utils.word2vec import reference_sgns_step

    used = _l05_source_uses(sgns_step, ("reference_sgns_step", "sparse_sgd_step", "autograd",
                                        "backward("))
    if used:
        return Verdict("5.2 the word2vec update", False, f"your function uses `{used}`: write "
                       "the update yourself from the gradients of exercise 5.1")
    rng = fresh_rng()
    cases = []
    for case in range(4):
        V, d = int(rng.integers(6, 14)), int(rng.integers(3, 9))
        dtype = np.float64 if case == 1 else np.float32
        w_in = rng.normal(0, 0.5, (V, d)).astype(dtype)
        w_out = rng.normal(0, 0.5, (V, d)).astype(dtype)
        inp, out = (int(x) for x in rng.choice(V, 2, replace=False))
        others = [w for w in range(V) if w != out]
        negatives = [int(x) for x in rng.choice(others, int(rng.integers(2, 5)), replace=False)]
        if case >= 2:  # the edge word2vec handles: a negative that is the true word, skipped
            negatives.insert(int(rng.integers(0, len(negatives) + 1)), out)
        lr = float(rng.uniform(0.2, 0.8))
        exp_in, exp_out = w_in.astype(np.float64), w_out.astype(np.float64)
        reference_sgns_step(exp_in, exp_out, inp, out, negatives, lr)
        got_in, got_out = w_in.copy(), w_out.copy()
        k = len(negatives)

        def call(tables=(got_in, got_out), rest=(inp, out, negatives, lr)):
            return (*tables, *rest)

        def judge(result, got_in=got_in, got_out=got_out, exp_in=exp_in, exp_out=exp_out,
                  skip=case >= 2, k=k):
            if result is not None and not isinstance(result, tuple | list):
                return ("update w_in and w_out in place and return None, got "
                        f"{type(result).__name__}")
            if not np.allclose(got_out, exp_out, atol=1e-5):
                why = " (a negative equal to the true word must be skipped)" if skip else ""
                return f"w_out is not right after one step with {k} negatives{why}"
            if not np.allclose(got_in, exp_in, atol=1e-5):
                return f"w_in is not right after one step with {k} negatives"
            return None

        cases.append((call(), judge))
    return _run("5.2 the word2vec update", sgns_step, cases,
                "for each target (the true word with label 1, each negative that differs from "
                "it with label 0) the step is lr * (label - sigmoid(v.u)); u moves by that times "
                "v, and v moves by the sum over targets of that times u, using the values from "
                "before this step; change the rows in place")


def check_keep_probability(keep_probability: Callable) -> Verdict:
    """Exercise 5.3: ``keep_probability(count, total, sample=1e-3)`` -> float in (0, 1]."""
    import math

    rng = fresh_rng()
    cases = []
    total = int(rng.integers(200_000, 2_000_000))
    sample = float(rng.choice([1e-3, 1e-4, 5e-4]))
    t = sample * total
    # a very frequent word, one near the threshold, and a rare one (capped at 1)
    for count in [int(rng.uniform(50, 200) * t), int(rng.uniform(2, 6) * t),
                  max(1, int(rng.uniform(0.1, 0.9) * t))]:
        expected = min(1.0, (math.sqrt(count / t) + 1) * t / count)

        def judge(got, expected=expected, count=count):
            value = _l05_number(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not math.isclose(value, expected, rel_tol=1e-5):
                return f"for count={count:,}, total={total:,}, sample={sample} your answer is off"
            return None

        cases.append(((count, total, sample), judge))
    return _run("5.3 subsampling", keep_probability, cases,
                "word2vec's formula uses the threshold t = sample * total counts; a probability "
                "can never exceed 1")


def expected_pairs_reference(n: int, window: int) -> float:
    """Expected (context, centre) pairs of an n-word sentence with a window drawn in 1..window."""
    return sum(min(r, i) + min(r, n - 1 - i) for i in range(n) for r in range(1, window + 1)) \
        / window


def check_expected_pairs(expected_pairs: Callable) -> Verdict:
    """Exercise 5.4: ``expected_pairs(n, window)`` -> the expected number of (context, centre)
    pairs word2vec's dynamic window makes from one sentence of ``n`` words."""
    import math

    rng = fresh_rng()
    cases = []
    window = int(rng.integers(3, 8))
    for n in [1, 2, int(rng.integers(3, window + 1)), int(rng.integers(20, 200))]:
        expected = expected_pairs_reference(n, window)

        def judge(got, expected=expected, n=n):
            value = _l05_number(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not math.isclose(value, expected, rel_tol=1e-6, abs_tol=1e-9):
                edge = " (words near the ends have fewer neighbours)" if n <= window else ""
                return f"for n={n}, window={window} your answer is off{edge}"
            return None

        cases.append(((n, window), judge))
    return _run("5.4 pairs per sentence", expected_pairs, cases,
                "average over the window sizes r = 1..window, each equally likely; word i has "
                "min(r, i) neighbours on its left and as many on its right as the sentence has")


def check_adaptive_input_params(adaptive_input_params: Callable) -> Verdict:
    """Exercise 5.5: ``adaptive_input_params(cutoffs, dims, d_model)`` -> int, by arithmetic."""
    import numbers

    used = _l05_source_uses(adaptive_input_params, ("nn.", "Embedding(", "Linear(",
                                                    "parameters("))
    if used:
        return Verdict("5.5 adaptive input parameters", False, f"your function uses `{used}`: "
                       "count with arithmetic, without building a model")

    def reference(cutoffs, dims, d_model):
        total, lo = 0, 0
        for hi, d in zip(cutoffs, dims, strict=True):
            total += (hi - lo) * d + (d * d_model if d != d_model else 0)
            lo = hi
        return total

    rng = fresh_rng()
    cases = []
    d_model = int(rng.choice([16, 32, 64]))
    first = int(rng.integers(50, 500))
    for cutoffs, dims in [([first], [d_model]),
                          ([first, first + int(rng.integers(100, 900))], [d_model, d_model // 4]),
                          ([first, 2 * first, 5 * first], [d_model, d_model // 2, d_model // 8]),
                          ([first, 3 * first], [d_model // 2, d_model // 2])]:
        expected = reference(cutoffs, dims, d_model)

        def judge(got, expected=expected, cutoffs=cutoffs, dims=dims):
            if isinstance(got, bool) or not isinstance(got, numbers.Integral) \
                    or int(got) != expected:
                return f"for cutoffs={cutoffs}, dims={dims}, d_model={d_model} your count is off"
            return None

        cases.append(((cutoffs, dims, d_model), judge))
    return _run("5.5 adaptive input parameters", adaptive_input_params, cases,
                "per band: rows times width for its table, plus a projection from its width to "
                "d_model unless the two are equal; a band starts where the previous one ended")


# --------------------------------------------------------------------------- lesson 06


def _tied_scores(rng, n: int):
    """Scores with many ties (a few distinct values) and at least two distinct values."""
    while True:
        x = rng.integers(0, rng.integers(2, 6), size=n).astype(float) * rng.uniform(0.5, 3)
        if len(set(x.tolist())) > 1:
            return x


def check_spearman(spearman_rho: Callable) -> Verdict:
    """Exercise 6.1: ``spearman_rho(x, y)`` -> Spearman's rank correlation (ties averaged),
    without scipy.stats' rankdata or spearmanr and without pandas' rank."""
    import numpy as np
    from scipy.stats import spearmanr

    used = _forbidden_use(spearman_rho, {"scipy.stats.spearmanr": "scipy.stats.spearmanr",
                                         "scipy.stats.rankdata": "scipy.stats.rankdata",
                                         "pandas.Series.rank": "pandas' rank"})
    if used:
        return Verdict("6.1 Spearman", False, f"the exercise asks you not to use {used}: rank "
                       "the values yourself, giving tied values the mean of their positions")
    rng = fresh_rng()
    cases = []
    for n, kind in [(5, "plain"), (int(rng.integers(8, 20)), "ties"),
                    (int(rng.integers(30, 80)), "ties"), (int(rng.integers(20, 60)), "plain")]:
        x = _tied_scores(rng, n) if kind == "ties" else rng.standard_normal(n)
        y = _tied_scores(rng, n) if rng.random() < 0.5 else x + rng.standard_normal(n)
        as_list = rng.random() < 0.5
        args = (x.tolist(), y.tolist()) if as_list else (x, y.astype(np.float32))
        expected = float(spearmanr(x, np.asarray(args[1], dtype=np.float64)).statistic)
        kind = "ties" if len(set(x.tolist())) < n or len(set(y.tolist())) < n else "plain"

        def judge(got, expected=expected, n=n, kind=kind):
            value = _scalar(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not abs(value - expected) <= 1e-6:  # NaN fails too
                tied = " with tied values" if kind == "ties" else ""
                return f"for two lists of {n} values{tied} the result differs from Spearman's rho"
            return None

        cases.append((args, judge))
    return _run("6.1 Spearman", spearman_rho, cases,
                "rank each list from 1 to n by sorting; where several values are equal, give "
                "each of them the mean of the positions they occupy; then take Pearson's "
                "correlation of the two rank vectors")


def check_purity(purity: Callable) -> Verdict:
    """Exercise 6.2: ``purity(labels_true, labels_pred)`` -> share of items in their
    cluster's majority class."""
    from collections import Counter

    import numpy as np

    def reference(t, p):
        by_cluster: dict = {}
        for ti, pi in zip(t, p, strict=True):
            by_cluster.setdefault(pi, Counter())[ti] += 1
        return sum(c.most_common(1)[0][1] for c in by_cluster.values()) / len(t)

    rng = fresh_rng()
    names = np.array(["noun", "verb", "city", "name", "colour"])
    cases = []
    for n, k_true, k_pred in [(int(rng.integers(6, 12)), 2, 1),
                              (int(rng.integers(20, 40)), 3, int(rng.integers(2, 6))),
                              (int(rng.integers(40, 90)), 5, int(rng.integers(3, 8))),
                              (int(rng.integers(10, 30)), 4, 4)]:
        t = rng.integers(0, k_true, n)
        p = rng.choice(rng.choice(100, size=k_pred, replace=False), n)  # ids need not be 0..k-1
        t_arg = names[t].tolist() if rng.random() < 0.5 else t
        p_arg = p.tolist() if rng.random() < 0.5 else p
        expected, k = reference(t.tolist(), p.tolist()), len(set(p.tolist()))

        def judge(got, expected=expected, n=n, k=k):
            value = _scalar(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not abs(value - expected) <= 1e-6:
                return f"for {n} items in {k} clusters the purity differs from the reference"
            return None

        cases.append(((t_arg, p_arg), judge))
    return _run("6.2 purity", purity, cases,
                "group the items by predicted cluster; in each group count how many carry its "
                "most frequent true label; add these counts over all groups and divide by the "
                "number of items (big clusters weigh more)")


def check_mean_vector(mean_vector: Callable) -> Verdict:
    """Exercise 6.3: ``mean_vector(kv, tokens)`` -> mean of the known words' vectors (d,),
    zeros of length ``kv.vector_size`` when no word is known."""
    import numpy as np
    from gensim.models import KeyedVectors

    rng = fresh_rng()
    cases = []
    for dim in (int(rng.integers(2, 6)), int(rng.integers(7, 40))):
        words = [f"w{i}" for i in rng.choice(1000, size=12, replace=False)]
        kv = KeyedVectors(dim)
        kv.add_vectors(words, rng.standard_normal((12, dim)).astype(np.float32))
        unknown = ["zzz", "qqq", "xyzzy"]
        w = [str(t) for t in rng.choice(words, 4)]
        for tokens in [[w[0], w[1]], [w[0], w[0], w[2]], [unknown[0], w[1], unknown[1], w[3]],
                       unknown[:2], []]:
            known = [kv[t] for t in tokens if t in kv.key_to_index]
            expected = np.mean(np.array(known, dtype=np.float64), axis=0) if known \
                else np.zeros(dim)
            what = "no known token" if not known else f"{len(tokens)} tokens"

            def judge(got, expected=expected, what=what, dim=dim):
                if hasattr(got, "detach"):
                    got = got.detach().cpu().numpy()
                arr = np.asarray(got, dtype=np.float64)
                if arr.shape != (dim,):
                    return f"with {what} and {dim}-d vectors expected shape ({dim},), got " \
                           f"{arr.shape}"
                if not np.allclose(arr, expected, atol=1e-5):
                    return f"with {what} and {dim}-d vectors the values differ from the mean " \
                           "of the known tokens' vectors"
                return None

            cases.append(((kv, list(tokens)), judge))
    return _run("6.3 mean vector", mean_vector, cases,
                "keep the tokens the vocabulary knows, repeats included, and average their "
                "vectors; when none is left, the zero vector must still have the embedding's "
                "own length (kv.vector_size)")


def check_paired_spearman_bootstrap(paired_bootstrap: Callable) -> Verdict:
    """Exercise 6.4: ``paired_bootstrap(gold, sims_a, sims_b, n_boot, seed)`` ->
    ``(diff, low, high)``: rho(gold, a) - rho(gold, b) and its 95% paired percentile interval."""
    import numpy as np

    from course_utils.evaluate import paired_bootstrap as reference

    used = _forbidden_use(paired_bootstrap, {"scipy.stats.bootstrap": "scipy.stats.bootstrap",
                                             "course_utils.evaluate.paired_bootstrap":
                                             "course_utils.evaluate.paired_bootstrap"})
    if used:
        return Verdict("6.4 paired bootstrap", False,
                       "the exercise asks you to write the resampling yourself, not to call "
                       f"{used}")
    rng = fresh_rng()
    cases = []
    for n, noise in [(int(rng.integers(60, 120)), 0.3), (int(rng.integers(150, 250)), 0.1)]:
        gold = rng.standard_normal(n)
        a = gold + rng.standard_normal(n)
        b = a + noise * rng.standard_normal(n)  # b shares a's errors: the pairing matters
        if rng.random() < 0.5:
            a, b = b, a
        ref = reference(gold, a, b, n_boot=8000, seed=int(rng.integers(1 << 30)))
        width = ref.ci_high - ref.ci_low
        args = (gold.tolist(), a.astype(np.float32), b, 4000, int(rng.integers(1 << 30)))

        def judge(got, ref=ref, width=width, n=n):
            try:
                diff, low, high = (_scalar(v) for v in got)
            except (TypeError, ValueError):
                return "expected a tuple (diff, low, high) of three numbers"
            if None in (diff, low, high):
                return "expected a tuple (diff, low, high) of three numbers"
            if not abs(diff - ref.diff) <= 1e-5:
                return f"for {n} pairs, diff is not rho(gold, a) - rho(gold, b) on all pairs"
            if not 0.9 * width <= high - low <= 1.1 * width:
                wrong = "too wide" if high - low > width else "too narrow"
                return f"for {n} pairs the interval is {wrong} for a 95% paired interval"
            off = max(abs(low - ref.ci_low), abs(high - ref.ci_high))
            if not off <= 0.15 * width:
                return f"for {n} pairs the interval sits in the wrong place"
            return None

        cases.append((args, judge))
    return _run("6.4 paired bootstrap", paired_bootstrap, cases,
                "in each of the n_boot rounds draw ONE set of n pair indices with replacement "
                "and compute both correlations on it; the interval is the 2.5th and 97.5th "
                "percentile of the n_boot differences")


# --------------------------------------------------------------------------- lesson 04


def check_cosine_matrix(cosine_matrix: Callable) -> Verdict:
    """Exercise 4.1: ``cosine_matrix(a (n, d), b (m, d))`` -> numpy ``(n, m)`` cosines,
    without a library's cosine function."""
    import numpy as np

    used = _forbidden_use(cosine_matrix, {
        "course_utils.geometry.cosine_similarity": "course_utils' cosine_similarity",
        "sklearn.metrics.pairwise.cosine_similarity": "sklearn's cosine_similarity",
        "torch.nn.functional.cosine_similarity": "torch's cosine_similarity",
        "scipy.spatial.distance.cdist": "scipy's cdist"})
    if used:
        return Verdict("4.1 cosine matrix", False, f"the exercise asks you to build it, not to "
                       f"call {used}")
    rng = fresh_rng()
    cases = []
    for n, m, d in [(1, int(rng.integers(2, 7)), 3), (int(rng.integers(2, 9)), 1, 5),
                    (int(rng.integers(3, 12)), int(rng.integers(3, 12)), int(rng.integers(2, 30)))]:
        # rows of very different lengths: only a real normalization gets cosines right
        a = rng.standard_normal((n, d)) * rng.uniform(0.01, 100, size=(n, 1))
        b = rng.standard_normal((m, d)) * rng.uniform(0.01, 100, size=(m, 1))
        expected = (a / np.linalg.norm(a, axis=1, keepdims=True)) @ \
            (b / np.linalg.norm(b, axis=1, keepdims=True)).T
        if rng.random() < 0.5:
            a, b = a.astype(np.float32), b.astype(np.float32)
        cases.append(((a, b), _close_judge(expected, f"a {a.shape}, b {b.shape}", atol=1e-5,
                                           want="array")))
    return _run("4.1 cosine matrix", cosine_matrix, cases,
                "a cosine is a dot product of unit vectors: scale every row of both inputs to "
                "length 1, then all n x m dot products are one matrix product with the second "
                "input transposed")


def _bisector_question(rng, emb) -> None:
    """Rewrite rows 0-2 so that a (row 0) lies between b and c at about 35 degrees: then
    b - a + c points closer to a than to any other word, and only excluding a avoids it."""
    import numpy as np

    d = emb.shape[1]
    q, _ = np.linalg.qr(rng.standard_normal((d, 2)))
    half = np.deg2rad(rng.uniform(25, 45))
    a = q[:, 0]
    b = np.cos(half) * q[:, 0] + np.sin(half) * q[:, 1]
    c = np.cos(half) * q[:, 0] - np.sin(half) * q[:, 1]
    for row, v in enumerate((a, b, c)):
        emb[row] = v * rng.uniform(0.5, 3)  # lengths differ; directions are what count


def check_analogy(analogy: Callable) -> Verdict:
    """Exercise 4.2: ``analogy(emb (V, d), words, a, b, c)`` -> the best word, all three
    inputs excluded."""
    import numpy as np

    used = _forbidden_use(analogy, {
        "course_utils.geometry.solve_analogy": "course_utils' solve_analogy",
        "course_utils.geometry.analogy_scores": "course_utils' analogy_scores",
        "gensim.models.KeyedVectors.most_similar": "gensim's most_similar"})
    if used:
        return Verdict("4.2 analogy", False, f"the exercise asks you to build it, not to call "
                       f"{used}")
    rng = fresh_rng()
    cases = []
    for V, d, n_questions in [(int(rng.integers(30, 60)), 4, 8),
                              (int(rng.integers(60, 150)), int(rng.integers(5, 20)), 8)]:
        emb = rng.standard_normal((V, d)) * rng.uniform(0.3, 3, size=(V, 1))  # norms differ
        _bisector_question(rng, emb)
        words = [f"w{i}" for i in rng.permutation(V)]
        unit = emb / np.linalg.norm(emb, axis=1, keepdims=True)
        questions = [(0, 1, 2)] + [tuple(rng.choice(V, 3, replace=False))
                                   for _ in range(n_questions)]
        matrix = emb.astype(np.float32) if d > 4 else emb
        for ia, ib, ic in questions:
            scores = unit @ (unit[ib] - unit[ia] + unit[ic])
            scores[[ia, ib, ic]] = -np.inf
            q = (words[ia], words[ib], words[ic])

            best = float(scores.max())

            def judge(got, scores=scores, q=q, best=best, words=words):
                if not isinstance(got, str):
                    return f"expected a word (a string), got {type(got).__name__}"
                if got in q:
                    return f"for a, b, c = {q} you returned the input word {got!r}; all three " \
                           "inputs must be excluded"
                if got not in words:
                    return f"{got!r} is not one of the words"
                if scores[words.index(got)] < best - 1e-5:  # near-ties count as right
                    return f"for a, b, c = {q} a word with a higher cosine to b - a + c exists"
                return None

            cases.append(((matrix, list(words), *q), judge))
    return _run("4.2 analogy", analogy, cases,
                "scale every row to length 1 first (lengths must not count); score every word "
                "against the unit b minus unit a plus unit c; make the scores of a, b and c "
                "impossible to win before you take the best one")


def check_all_but_the_top(remove_top_directions: Callable) -> Verdict:
    """Exercise 4.3: ``remove_top_directions(emb (n, d), n_components)`` -> ``(n, d)``."""
    import numpy as np

    used = _forbidden_use(remove_top_directions, {
        "course_utils.geometry.all_but_the_top": "course_utils' all_but_the_top"})
    if used:
        return Verdict("4.3 all-but-the-top", False, f"the exercise asks you to build it, not "
                       f"to call {used}")
    rng = fresh_rng()
    cases = []
    for n, d, k in [(int(rng.integers(30, 80)), 6, 1), (int(rng.integers(80, 200)), 10, 0),
                    (int(rng.integers(50, 150)), int(rng.integers(8, 16)),
                     int(rng.integers(2, 5)))]:
        scales = np.sort(rng.uniform(0.5, 1.0, d))[::-1] * 1.6 ** -np.arange(d) * 8  # distinct
        emb = rng.standard_normal((n, d)) * scales + rng.uniform(1, 4, d)  # a common offset
        centered = emb - emb.mean(0)
        _, _, vh = np.linalg.svd(centered, full_matrices=False)
        expected = centered - (centered @ vh[:k].T) @ vh[:k]
        arg = emb.astype(np.float32) if k > 1 else emb
        cases.append(((arg, k), _close_judge(expected, f"for {n} rows of {d} dims, "
                                                        f"n_components={k}",
                                             atol=1e-4 if arg.dtype == np.float32 else 1e-6,
                                             want="array")))
    return _run("4.3 all-but-the-top", remove_top_directions, cases,
                "first subtract the mean row; the top directions are the first right singular "
                "vectors of the centred matrix; subtract each row's projection on them (with "
                "n_components = 0 only the mean goes)")


def check_mean_pair_cosine(mean_pair_cosine: Callable) -> Verdict:
    """Exercise 4.4: ``mean_pair_cosine(x (n, d))`` -> mean cosine over all pairs i < j."""
    import numpy as np

    used = _forbidden_use(mean_pair_cosine, {
        "course_utils.geometry.mean_cosine": "course_utils' mean_cosine (it samples pairs)"})
    if used:
        return Verdict("4.4 mean pair cosine", False, f"the exercise asks for every pair "
                       f"exactly, not {used}")
    rng = fresh_rng()
    cases = []
    for n, d, offset in [(2, 3, 0.0), (int(rng.integers(5, 15)), 4, 2.0),
                         (int(rng.integers(20, 80)), int(rng.integers(5, 40)), 0.5)]:
        x = (rng.standard_normal((n, d)) + offset) * rng.uniform(0.1, 10, size=(n, 1))
        if n > 3:
            x[1] = 3 * x[0]  # the same direction twice: that pair counts with cosine 1
        unit = x / np.linalg.norm(x, axis=1, keepdims=True)
        cos = unit @ unit.T
        expected = float(cos[np.triu_indices(n, 1)].mean())
        arg = x.astype(np.float32) if d > 4 else x

        def judge(got, expected=expected, n=n):
            value = _scalar(got)
            if value is None:
                return f"expected a number, got {type(got).__name__}"
            if not abs(value - expected) <= 1e-5:
                return f"for {n} vectors the mean over the {n * (n - 1) // 2} pairs i < j " \
                       "differs from yours"
            return None

        cases.append(((arg,), judge))
    return _run("4.4 mean pair cosine", mean_pair_cosine, cases,
                "compute all cosines at once as in 4.1, then average only the entries above "
                "the diagonal: a vector's cosine with itself is not a pair")


# --------------------------------------------------------------------------- lesson 07


def _as_float64(got):
    """A learner's array answer (torch or numpy, any float dtype) as float64 numpy."""
    import numpy as np
    import torch

    if isinstance(got, torch.Tensor):
        got = got.detach().cpu().double().numpy()
    return np.asarray(got, dtype=np.float64)


def check_unembed(unembed: Callable) -> Verdict:
    """Exercise 7.1: ``unembed(h (T, d), wte (V, d), gain (d,), bias (d,))`` -> log-probs.

    The tied head read by hand: final LayerNorm (eps 1e-5), product with the token table,
    log-softmax over the vocabulary. Inputs are fresh on every call.
    """
    import numpy as np
    import torch
    import torch.nn.functional as F

    rng = fresh_rng()
    cases = []
    for T, d, V, dtype in [(1, 8, 20, torch.float32), (5, 16, 50, torch.float64),
                           (3, 4, 7, torch.float32)]:
        h = torch.tensor(rng.standard_normal((T, d)) * rng.uniform(2, 20) + rng.uniform(-3, 3),
                         dtype=dtype)
        wte = torch.tensor(rng.standard_normal((V, d)), dtype=dtype)
        gain = torch.tensor(rng.uniform(0.5, 2.0, d), dtype=dtype)
        bias = torch.tensor(rng.standard_normal(d) * 0.5, dtype=dtype)
        expected = F.log_softmax(F.layer_norm(h.double(), (d,), gain.double(), bias.double(),
                                              eps=1e-5) @ wte.double().T, dim=-1).numpy()

        def judge(got, expected=expected, shape=(T, V)):
            arr = _as_float64(got)
            if arr.shape != shape:
                return f"for h of shape ({shape[0]}, d) and a table of {shape[1]} rows expected " \
                       f"shape {shape}, got {arr.shape}"
            if np.all(arr >= 0) and np.allclose(arr.sum(-1), 1, atol=1e-3):
                return "each row sums to 1: those are probabilities, the exercise asks for " \
                       "log-probabilities"
            if not np.all(np.isfinite(arr)):
                return "the answer holds NaN or inf"
            if not np.allclose(arr, expected, atol=2e-4):
                return f"values differ for a case with shape {shape} (largest gap " \
                       f"{np.abs(arr - expected).max():.3f})"
            return None

        cases.append(((h, wte, gain, bias), judge))
    return _run("7.1 tied unembedding", unembed, cases,
                "normalize each row of h over its d features (mean 0, variance 1, eps 1e-5 "
                "inside the square root), scale by gain and add bias, multiply by the table "
                "transposed, then log_softmax over the last axis")


def check_param_count(param_count: Callable) -> Verdict:
    """Exercise 7.2: ``param_count(vocab_size, block_size, n_layer, n_embd, tied)`` -> int.

    Judged against ``GPT(GPTConfig(...)).num_params()`` on fresh sizes, tied and untied.
    """

    from course_utils.gpt import GPT, GPTConfig

    rng = fresh_rng()
    cases = []
    for tied in (True, False, True, False):
        V, T, L, d = (int(rng.integers(10, 300)), int(rng.integers(2, 40)),
                      int(rng.integers(1, 4)), int(rng.integers(1, 12)) * 2)
        expected = GPT(GPTConfig(vocab_size=V, block_size=T, n_layer=L, n_head=1, n_embd=d,
                                 tie_weights=tied)).num_params()

        def judge(got, expected=expected, q=(V, T, L, d, tied)):
            try:
                value = float(got)
            except (TypeError, ValueError):
                return f"expected a number of parameters, got {type(got).__name__}"
            if value != value or value in (float("inf"), float("-inf")):
                return f"expected a whole number of parameters, got {got!r}"
            if value == expected:
                return None
            V, T, L, d, tied = q
            if tied and value == expected + V * d:
                return "with tied weights the head is the token table: count that matrix once"
            return f"for vocab_size={V}, block_size={T}, n_layer={L}, n_embd={d}, " \
                   f"tied={tied} your count is off by {int(value - expected):+,}"

        cases.append(((V, T, L, d, tied), judge))
    return _run("7.2 parameter count", param_count, cases,
                "count wte and wpe; per block two LayerNorms (gain and bias), c_attn and "
                "c_proj, the MLP's two Linear layers, each with its bias; the final LayerNorm; "
                "the head only when it is not tied")


def check_cosine_contributions(cosine_contributions: Callable) -> Verdict:
    """Exercise 7.3: ``cosine_contributions(x (n, d))`` -> ``(d,)``, summing to the mean cosine.

    Entry i is dimension i's share of the mean cosine over all pairs of distinct rows
    (Timkey & van Schijndel 2021). Fresh matrices per call, with planted rogue dimensions.
    """
    import numpy as np

    rng = fresh_rng()
    cases = []
    for n, d in [(4, 6), (30, 10), (200, 32)]:
        x = rng.standard_normal((n, d))
        rogue = rng.choice(d, size=2, replace=False)
        x[:, rogue] += rng.uniform(3, 8, size=2) * rng.choice([-1, 1], size=2)
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        total = u.sum(0)
        expected = (total ** 2 - (u ** 2).sum(0)) / (n * (n - 1))

        def judge(got, expected=expected, n=n, d=d, u=u):
            arr = _as_float64(got)
            if arr.shape != (d,):
                return f"for x of shape ({n}, {d}) expected shape ({d},), got {arr.shape}"
            if np.allclose(arr, u.mean(0) ** 2, atol=1e-9):
                return "you included each row paired with itself: use distinct pairs only"
            if not np.allclose(arr, expected, atol=1e-5):
                return f"values differ for x of shape ({n}, {d})"
            return None

        cases.append(((x.astype(np.float32) if n == 30 else x,), judge))
    return _run("7.3 cosine contributions", cosine_contributions, cases,
                "normalize rows to unit length; for dimension i the sum over distinct pairs "
                "j != k of u[j, i] * u[k, i] is (column sum)**2 minus the sum of squares; "
                "divide by n * (n - 1)")


# --------------------------------------------------------------------------- lesson 08


def check_info_nce(info_nce_loss: Callable) -> Verdict:
    """Exercise 8.1: ``info_nce_loss(queries (B, d), docs (B, d), temperature)`` -> the mean
    cross-entropy of cosine / temperature, row i's positive being doc i. Without
    ``course_utils.retrieval.info_nce``."""
    import numpy as np
    import torch

    import course_utils.retrieval as retrieval

    rng = fresh_rng()
    cases = []
    shapes = [(int(rng.integers(2, 9)), int(rng.integers(2, 7)),
               float(rng.choice([0.05, 0.1, 1.0]))) for _ in range(3)]
    shapes += [(1, 4, 0.1),  # one pair: nothing to tell apart, the loss is 0
               (6, 5, 0.01)]  # scores up to 100: exp() overflows float32 without logsumexp
    for b, d, tau in shapes:
        scale = rng.uniform(0.1, 10, size=(b, 1))  # norms differ: the loss uses cosines
        q = torch.as_tensor(rng.standard_normal((b, d)) * scale, dtype=torch.float32)
        docs = torch.as_tensor(rng.standard_normal((b, d)) + 2 * q.numpy() / scale,
                               dtype=torch.float32)  # each doc leans towards its query
        expected = float(retrieval.info_nce(q.double(), docs.double(), tau))

        def judge(got, expected=expected, b=b, d=d, tau=tau):
            if hasattr(got, "detach"):
                if got.numel() != 1:
                    return f"expected one number (the mean loss), got shape {tuple(got.shape)}"
                got = got.detach().item()
            if not isinstance(got, int | float | np.floating | np.ndarray):
                return f"expected a number or a scalar tensor, got {type(got).__name__}"
            got = float(np.asarray(got).reshape(-1)[0]) if np.size(got) == 1 else None
            if got is None:
                return "expected one number (the mean loss over the batch)"
            if not abs(got - expected) <= 1e-4 * max(1.0, abs(expected)):  # NaN fails too
                return f"for a batch of {b} pairs of dimension {d}, temperature {tau}: your loss " \
                       f"{got:.4f} is not the reference"
            return None

        cases.append(((q, docs, tau), judge))

    def forbidden(*args, **kwargs):
        raise RuntimeError("write the loss yourself: course_utils.retrieval.info_nce is off "
                           "limits in this exercise")

    code = getattr(info_nce_loss, "__code__", None)
    if code is not None and "info_nce" in code.co_names:  # `from ... import info_nce` used
        return Verdict("8.1 InfoNCE", False, "write the loss yourself: your function calls "
                       "info_nce, which is off limits in this exercise")
    original = retrieval.info_nce
    retrieval.info_nce = forbidden
    try:
        return _run("8.1 InfoNCE", info_nce_loss, cases,
                    "normalize rows, logits = q @ d.T / temperature (B x B), then the cross-"
                    "entropy of each row with the diagonal as the target "
                    "(torch.nn.functional.cross_entropy keeps large logits finite)")
    finally:
        retrieval.info_nce = original


def check_ndcg(ndcg: Callable) -> Verdict:
    """Exercise 8.2: ``ndcg(ranking, relevance, k)`` -> nDCG@k of one ranked list of ids, with
    ``relevance = {doc_id: grade}`` (unlisted documents have grade 0)."""
    import numpy as np

    from course_utils.retrieval import ndcg_at_k

    rng = fresh_rng()
    cases = []
    for i in range(6):
        m = int(rng.integers(8, 30))
        ranking = rng.permutation(m)[: int(rng.integers(5, 8))].tolist()
        n_rel = int(rng.integers(1, 6)) if i else 9  # case 0: more relevant documents than k
        rel_ids = rng.choice(m, size=min(n_rel, m), replace=False)
        relevance = {int(j): int(rng.integers(1, 4)) for j in rel_ids}
        if i == 1:  # the edge case: relevant documents the ranking missed still count in the ideal
            relevance = {j: g for j, g in relevance.items() if j not in ranking[:2]} or {m + 1: 2}
        k = int(rng.integers(3, len(ranking) + 1))
        expected = ndcg_at_k(np.array([ranking]), [relevance], k)

        def judge(got, expected=expected, ranking=ranking, relevance=relevance, k=k):
            if not isinstance(got, int | float | np.floating):
                return f"expected a float, got {type(got).__name__}"
            if not abs(float(got) - expected) <= 1e-6:  # NaN fails too
                return f"for ranking {ranking}, relevance {relevance}, k={k} your " \
                       f"{float(got):.4f} is not the reference value"
            return None

        cases.append(((ranking, relevance, k), judge))
    return _run("8.2 nDCG", ndcg, cases,
                "DCG = sum of grade / log2(position + 1) over the first k positions (position "
                "1 first); divide by the DCG of the k highest grades in `relevance`, sorted")


def check_index_bytes(index_bytes: Callable) -> Verdict:
    """Exercise 8.3: ``index_bytes(n_docs, dim, kind)`` -> bytes the vectors take as "float32",
    "int8" or "binary" (bits packed into bytes, each vector padded to whole bytes)."""
    rng = fresh_rng()
    cases = []
    for kind in ("float32", "int8", "binary", "binary"):
        n, dim = int(rng.integers(1, 10**6)), int(rng.choice([384, 768, 1024]))
        if cases and kind == "binary":
            dim = int(rng.integers(1, 60)) * 8 + int(rng.integers(1, 8))  # not a multiple of 8
        per = {"float32": 4 * dim, "int8": dim, "binary": -(-dim // 8)}[kind]

        def judge(got, expected=n * per, n=n, dim=dim, kind=kind):
            if isinstance(got, bool) or not isinstance(got, int | float) or got != expected:
                return f"for {n:,} vectors of {dim} dimensions as {kind} your {got!r} bytes " \
                       "is not right"
            return None

        cases.append(((n, dim, kind), judge))
    return _run("8.3 index bytes", index_bytes, cases,
                "float32 takes 4 bytes a number and int8 one; binary takes one bit, and a "
                "vector's bits are packed into whole bytes (round up: math.ceil(dim / 8))")
