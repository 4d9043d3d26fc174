"""Lesson 07's exercises: the solutions pass, and the checkers reject plausible wrong answers."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_utils import checks
from course_utils.gpt import GPT, GPTConfig
from tests.nbutils import NOTEBOOK_DIR, load_definitions, solutions_for

LESSON = NOTEBOOK_DIR / "07_decoder_llm.ipynb"
SOLUTIONS = solutions_for(LESSON)
NAMES = ["unembed", "param_count", "cosine_contributions"]


@pytest.mark.parametrize("checker, name", [
    (checks.check_unembed, "unembed"),
    (checks.check_param_count, "param_count"),
    (checks.check_cosine_contributions, "cosine_contributions"),
])
def test_checkers_pass_solutions_and_report_stubs(checker, name):
    fn = load_definitions(SOLUTIONS, [name])[name]
    assert checker(fn).passed
    assert checker(fn).passed  # fresh inputs on every call: pass twice

    def stub(*args):
        raise NotImplementedError

    verdict = checker(stub)
    assert not verdict.passed and "not attempted" in verdict.message
    assert not checker("unembed").passed


def test_solutions_agree_with_the_model():
    ns = load_definitions(SOLUTIONS, NAMES)
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=40, block_size=8, n_layer=2, n_head=2, n_embd=12)).eval()
    with torch.no_grad():
        model.ln_f.weight.uniform_(0.5, 2)
        model.ln_f.bias.normal_()
        ids = torch.randint(0, 40, (1, 6))
        h = model.residual_stream(ids)[-1][0]
        got = ns["unembed"](h, model.wte.weight, model.ln_f.weight, model.ln_f.bias)
        assert torch.allclose(torch.as_tensor(got), F.log_softmax(model(ids)[0], -1), atol=1e-5)
    assert ns["param_count"](40, 8, 2, 12, True) == model.num_params()


def _ln(h, g, b):
    return F.layer_norm(h, (h.shape[-1],), g, b, eps=1e-5)


@pytest.mark.parametrize("wrong", [
    lambda h, w, g, b: F.log_softmax(h @ w.T, -1),  # forgot the final LayerNorm
    lambda h, w, g, b: F.softmax(_ln(h, g, b) @ w.T, -1),  # probabilities, not log
    lambda h, w, g, b: F.log_softmax(_ln(h, None, None) @ w.T, -1),  # LN without gain/bias
    lambda h, w, g, b: _ln(h, g, b) @ w.T,  # raw logits
    lambda h, w, g, b: F.log_softmax(_ln(h, g, b) @ w.T, 0),  # softmax over tokens
])
def test_unembed_checker_rejects_wrong_answers(wrong):
    assert not checks.check_unembed(wrong).passed


def test_unembed_checker_accepts_numpy_and_float64():
    def numpy_answer(h, w, g, b):
        h, w, g, b = (t.double().numpy() for t in (h, w, g, b))
        z = (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5) * g + b
        logits = z @ w.T
        return logits - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1,
                               keepdims=True)) - logits.max(-1, keepdims=True)

    assert checks.check_unembed(numpy_answer).passed
    assert checks.check_unembed(lambda h, w, g, b: F.log_softmax(
        _ln(h, g, b) @ w.T, -1).float()).passed


def _count(V, T, L, d, tied, block=True, bias=True, ln=True, wpe=True):
    per_block = 12 * d * d + (9 * d if bias else 0) + (4 * d if ln else 0)
    return (V * d + (T * d if wpe else 0) + L * per_block + (2 * d if ln else 0)
            + (0 if tied else V * d))


@pytest.mark.parametrize("wrong", [
    lambda V, T, L, d, tied: _count(V, T, L, d, False),  # tied head counted twice
    lambda V, T, L, d, tied: _count(V, T, L, d, tied, bias=False),  # no biases
    lambda V, T, L, d, tied: _count(V, T, L, d, tied, wpe=False),  # no position table
    lambda V, T, L, d, tied: _count(V, T, L, d, tied, ln=False),  # no LayerNorms
    lambda V, T, L, d, tied: "many",
])
def test_param_count_checker_rejects_wrong_answers(wrong):
    assert not checks.check_param_count(wrong).passed


def test_param_count_checker_accepts_numpy_ints_and_floats():
    assert checks.check_param_count(lambda *q: np.int64(_count(*q))).passed
    assert checks.check_param_count(lambda *q: float(_count(*q))).passed


def _contrib(x):
    x = np.asarray(x, dtype=np.float64)
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    return ((u.sum(0) ** 2 - (u ** 2).sum(0)) / (len(u) * (len(u) - 1)))


@pytest.mark.parametrize("wrong", [
    lambda x: (x / np.linalg.norm(x, axis=1, keepdims=True)).mean(0) ** 2,  # self-pairs in
    lambda x: _contrib(x / 1.0) * 0 + (x.mean(0) ** 2),  # raw, not unit rows
    lambda x: np.abs(_contrib(x)),  # a negative contribution made positive
    lambda x: _contrib(x) / _contrib(x).sum(),  # shares of the total instead of the terms
    lambda x: _contrib(x.T),  # the wrong axis
])
def test_cosine_contributions_checker_rejects_wrong_answers(wrong):
    assert not checks.check_cosine_contributions(wrong).passed


def test_cosine_contributions_checker_accepts_torch_and_float32():
    assert checks.check_cosine_contributions(lambda x: torch.tensor(_contrib(x))).passed
    assert checks.check_cosine_contributions(lambda x: _contrib(x).astype(np.float32)).passed


def test_lesson_defines_no_exercise_answers():
    source = LESSON.read_text()
    for name in NAMES:
        assert f"def {name}(" in source and "raise NotImplementedError" in source
