"""course_utils.gpt: shapes, causality, tying, GPT-2 init, logit lens, tokenizer, checkpoint."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch

from course_utils import data
from course_utils.gpt import (
    CHECKPOINT_DIR,
    GPT,
    GPTConfig,
    load_course_gpt,
    load_gpt,
    logit_lens,
    save_gpt,
    train_byte_bpe,
)
from course_utils.gpt_train import gpt_perplexity, ngram_perplexities

TINY = dict(vocab_size=50, block_size=16, n_layer=2, n_head=2, n_embd=16)


def tiny(**kw) -> GPT:
    torch.manual_seed(0)
    return GPT(GPTConfig(**{**TINY, **kw})).eval()


@pytest.mark.parametrize("position", ["learned", "rope"])
def test_logits_have_shape_batch_time_vocab(position):
    model = tiny(position=position)
    ids = torch.randint(0, 50, (3, 7))
    assert model(ids).shape == (3, 7, 50)
    logits, loss = model(ids, ids)
    assert logits.shape == (3, 7, 50) and loss.ndim == 0
    assert (model.wpe is None) == (position == "rope")


@pytest.mark.parametrize("position", ["learned", "rope"])
def test_causal_a_tokens_logits_ignore_later_tokens(position):
    model = tiny(position=position)
    ids = torch.randint(0, 50, (1, 12))
    changed = ids.clone()
    changed[0, 8:] = (changed[0, 8:] + 7) % 50
    a, b = model(ids), model(changed)
    assert torch.allclose(a[0, :8], b[0, :8], atol=1e-6)
    assert not torch.allclose(a[0, 8:], b[0, 8:], atol=1e-3)  # the test can fail


def test_rope_model_sees_order_through_attention():
    model = tiny(position="rope")
    ids = torch.tensor([[3, 4, 5, 6]])
    swapped = torch.tensor([[4, 3, 5, 6]])
    assert not torch.allclose(model(ids)[0, -1], model(swapped)[0, -1], atol=1e-5)


def test_tied_head_is_the_token_table_and_saves_parameters():
    tied, untied = tiny(), tiny(tie_weights=False)
    assert tied.lm_head.weight is tied.wte.weight
    assert untied.lm_head.weight is not untied.wte.weight
    assert untied.num_params() - tied.num_params() == TINY["vocab_size"] * TINY["n_embd"]
    with torch.no_grad():  # writing the table changes the head: one matrix
        tied.wte.weight[3] += 1.0
    assert torch.equal(tied.lm_head.weight[3], tied.wte.weight[3])


def test_gpt2_initialization_statistics():
    torch.manual_seed(0)
    cfg = GPTConfig(vocab_size=3000, block_size=64, n_layer=6, n_head=4, n_embd=96)
    model = GPT(cfg)
    assert abs(model.wte.weight.std().item() - 0.02) < 0.0005
    assert abs(model.wte.weight.mean().item()) < 0.0005
    assert abs(model.wpe.weight.std().item() - 0.02) < 0.002
    resid = 0.02 / math.sqrt(2 * cfg.n_layer)
    for block in model.blocks:
        assert abs(block.attn.c_proj.weight.std().item() - resid) < 0.0007
        assert abs(block.mlp[2].weight.std().item() - resid) < 0.0004
        assert abs(block.attn.c_attn.weight.std().item() - 0.02) < 0.0007
        assert torch.all(block.attn.c_attn.bias == 0)
        assert torch.all(block.ln_1.weight == 1) and torch.all(block.ln_1.bias == 0)


@pytest.mark.parametrize("bad, match", [
    (torch.zeros(1, 17, dtype=torch.long), r"length 17 is longer than the context block_size=16"),
    (torch.zeros(1, 5), r"integer token ids, got dtype torch.float32.*ids.long\(\)"),
    (torch.zeros(1, 0, dtype=torch.long), r"empty"),
    (torch.zeros(5, dtype=torch.long), r"shape \(B, T\), got \(5,\).*unsqueeze\(0\)"),
    (torch.tensor([[1, 50]]), r"token ids must be in \[0, 50\), got range \[1, 50\]"),
    (torch.tensor([[-1, 2]]), r"token ids must be in \[0, 50\)"),
])
def test_bad_ids_are_refused_with_the_fix(bad, match):
    with pytest.raises(ValueError, match=match):
        tiny()(bad)


def test_non_tensor_ids_are_refused():
    with pytest.raises(TypeError, match=r"torch tensor of token ids, got list"):
        tiny()([[1, 2, 3]])


@pytest.mark.parametrize("kw, match", [
    (dict(n_embd=15), r"n_embd \(15\) must be divisible by n_head \(2\)"),
    (dict(vocab_size=0), r"GPTConfig.vocab_size must be an int >= 1, got 0"),
    (dict(block_size=2.5), r"GPTConfig.block_size must be an int, got 2.5"),
    (dict(position="alibi"), r"position must be 'learned' or 'rope'"),
    (dict(n_embd=12, n_head=4, position="rope"), r"head size 3 must be even"),
    (dict(dropout=1.0), r"dropout must be in \[0, 1\), got 1.0: dropout=1 would"),
    (dict(dropout=float("nan")), r"GPTConfig.dropout must be finite, got nan"),
])
def test_bad_config_is_refused(kw, match):
    with pytest.raises(ValueError, match=match):
        GPTConfig(**{**TINY, **kw})


def test_gpt_needs_a_config():
    with pytest.raises(TypeError, match=r"expects a GPTConfig, got dict"):
        GPT(TINY)


def test_logit_lens_last_layer_is_the_models_output():
    model = tiny()
    ids = torch.randint(0, 50, (9,))
    lens = logit_lens(model, ids)
    assert lens.shape == (TINY["n_layer"] + 1, 9, 50)
    out = torch.log_softmax(model(ids[None])[0], dim=-1)
    assert torch.allclose(lens[-1], out, atol=1e-5)
    assert torch.allclose(lens.exp().sum(-1), torch.ones(3, 9), atol=1e-5)
    assert torch.allclose(logit_lens(model, ids[None]), lens)
    assert not torch.allclose(lens[0], lens[-1], atol=1e-3)


def test_logit_lens_restores_training_mode_and_refuses_batches():
    model = tiny(dropout=0.1).train()
    logit_lens(model, [1, 2, 3])
    assert model.training
    with pytest.raises(ValueError, match=r"one sequence.*got \(2, 3\)"):
        logit_lens(model, torch.zeros(2, 3, dtype=torch.long))
    with pytest.raises(TypeError, match=r"course GPT"):
        logit_lens(torch.nn.Linear(2, 2), [1])


def test_generate_appends_tokens_deterministically_when_greedy():
    model = tiny()
    ids = torch.tensor([[1, 2, 3]])
    out = model.generate(ids, 20, temperature=0)  # runs past block_size: crops the context
    assert out.shape == (1, 23) and torch.equal(out[:, :3], ids)
    assert torch.equal(out, model.generate(ids, 20, temperature=0))


def test_save_and_load_keep_weights_and_tying(tmp_path):
    model = tiny()
    save_gpt(model, tmp_path)
    again = load_gpt(tmp_path)
    assert again.lm_head.weight is again.wte.weight
    ids = torch.randint(0, 50, (2, 10))
    assert torch.equal(model(ids), again(ids))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.json", "model.safetensors"]


TRICKY = ["Crème brûlée à São Paulo, naïve façade", "emoji 🚀🧪👩‍🔬 and ZWJ",
          "東京と北京 中文 한국어",
          "tabs\tand\nnewlines  double  spaces", "", "UPPER 123 $%^& ~", "\u00a0\u200b\U0001f600"]


def test_byte_level_bpe_round_trips_any_text_and_has_no_unknown():
    tok = train_byte_bpe(["the cat sat on the mat", "the dog sat"] * 20, vocab_size=300)
    for text in TRICKY:
        assert tok.decode(tok.encode(text)) == text
    assert tok.hf.get_vocab_size() >= 257  # 256 bytes + end-of-text
    assert tok.hf.model.unk_token is None
    with pytest.raises(TypeError, match=r"encode takes a string, got bytes"):
        tok.encode(b"bytes")


def test_ngram_baselines_bigram_beats_unigram_on_structured_text():
    rng = np.random.default_rng(0)
    train = np.tile([1, 2, 3, 4], 500).tolist()
    held = np.tile([1, 2, 3, 4], 50).tolist()
    ppl = ngram_perplexities(train, held, vocab_size=10)
    assert ppl["bigram"] < 1.1 < 3.5 < ppl["unigram"] < 4.5
    noise = rng.integers(0, 10, 2000).tolist()
    ppl = ngram_perplexities(noise, noise[:300], vocab_size=10)
    assert 8 < ppl["unigram"] < 11


def test_untrained_gpt_perplexity_is_near_the_vocabulary_size():
    model = tiny()
    ids = torch.randint(0, 50, (100,)).tolist()  # several windows and a short last one
    assert 40 < gpt_perplexity(model, ids) < 62


# --------------------------------------------------------------------------- the checkpoint


def test_checkpoint_loads_verifies_and_is_small():
    tokenizer, model = load_course_gpt(device="cpu")
    assert data.verify_source("course_gpt") == list(data.catalog()["course_gpt"].files)
    assert (CHECKPOINT_DIR / "model.safetensors").stat().st_size <= 20 * 2**20
    assert model.lm_head.weight is model.wte.weight and not model.training
    assert tokenizer.vocab_size == model.config.vocab_size
    for text in TRICKY:
        assert tokenizer.decode(tokenizer.encode(text)) == text
    ids = torch.tensor([tokenizer.encode("the history of the city")])
    assert model(ids).shape == (1, ids.shape[1], model.config.vocab_size)


def test_checkpoint_beats_unigram_and_bigram_on_held_out_text():
    log = json.loads((CHECKPOINT_DIR / "train_log.json").read_text())
    ppl = log["held_out_perplexity"]
    assert ppl["gpt"] < ppl["bigram"] < ppl["unigram"]
    assert log["seed"] == 0 and log["torch_threads"] >= 1


def test_altered_checkpoint_is_refused_with_the_fix(fake_provider):
    root = fake_provider("course_gpt")
    raw = bytearray((root / "model.safetensors").read_bytes())
    raw[-1] ^= 1
    (root / "model.safetensors").write_bytes(bytes(raw))
    with pytest.raises(data.DataIntegrityError, match=r"course_gpt.*make model"):
        load_course_gpt(device="cpu")


def test_checkpoint_beats_the_unigram_model():
    ppl = json.loads((CHECKPOINT_DIR / "train_log.json").read_text())["held_out_perplexity"]
    assert ppl["gpt"] < ppl["unigram"]


def test_checkpoint_folder_holds_safetensors_and_json_only():
    names = sorted(p.name for p in CHECKPOINT_DIR.iterdir())
    assert names == ["config.json", "model.safetensors", "tokenizer.json", "train_log.json"]
    header_len = int.from_bytes((CHECKPOINT_DIR / "model.safetensors").read_bytes()[:8], "little")
    header = json.loads((CHECKPOINT_DIR / "model.safetensors").read_bytes()[8:8 + header_len])
    stored = {"wte.weight", "lm_head.weight"} & set(header)
    assert len(stored) == 1  # the tied matrix is stored once; the other name is an alias
    assert header["__metadata__"] == {"wte.weight": "lm_head.weight"}


# --------------------------------------------------------------------------- training command


SMALL = ["--steps", "3", "--n-embd", "8", "--n-layer", "1", "--n-head", "1", "--vocab-size",
         "300", "--block-size", "8", "--batch-size", "2", "--warmup", "1", "--quiet"]


@pytest.fixture
def tiny_wiki(monkeypatch):
    from course_utils import gpt_train

    texts = [f"the {w} was built in the city of {w} by the romans" for w in
             ("rome", "paris", "london", "berlin", "madrid", "vienna")] * 5
    monkeypatch.setattr(gpt_train, "wiki_texts", lambda: (texts[:25], texts[25:]))
    return gpt_train


def test_train_gpt_writes_a_loadable_checkpoint_and_log(tiny_wiki, tmp_path, capsys):
    from course_utils.__main__ import main

    main(["train-gpt", *SMALL, "--out", str(tmp_path), "--threads", "1"])
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "config.json", "model.safetensors", "tokenizer.json", "train_log.json"]
    log = json.loads((tmp_path / "train_log.json").read_text())
    assert log["seed"] == 0 and log["torch_threads"] == 1 and log["device"] == "cpu"
    assert set(log["held_out_perplexity"]) >= {"gpt", "bigram", "unigram"}
    assert "held-out perplexity" in capsys.readouterr().out
    model = load_gpt(tmp_path)
    assert model.config.n_embd == 8 and model.lm_head.weight is model.wte.weight


def test_train_gpt_is_reproducible_from_its_seed(tiny_wiki, tmp_path):
    from course_utils.gpt_train import main

    main([*SMALL, "--out", str(tmp_path / "a"), "--threads", "1"])
    main([*SMALL, "--out", str(tmp_path / "b"), "--threads", "1"])
    a, b = load_gpt(tmp_path / "a"), load_gpt(tmp_path / "b")
    assert all(torch.equal(x, y) for x, y in zip(a.state_dict().values(),
                                                 b.state_dict().values(), strict=True))


def test_train_gpt_refuses_bad_options_and_a_missing_gpu(tiny_wiki, tmp_path):
    from course_utils.gpt_train import main

    with pytest.raises(SystemExit):
        main(["--position", "alibi"])
    with pytest.raises(SystemExit):
        main(["--steps", "many"])
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError, match=r"'cuda' was asked for but torch sees no GPU"):
            main([*SMALL, "--device", "cuda", "--out", str(tmp_path)])
    with pytest.raises(ValueError, match=r"n_embd \(8\) must be divisible by n_head \(3\)"):
        main([*SMALL, "--n-head", "3", "--out", str(tmp_path)])


def test_wiki_split_holds_out_every_tenth_article_and_streams_end_with_eot():
    from course_utils.gpt import EOT
    from course_utils.gpt_train import encode_stream, wiki_texts

    train, held = wiki_texts()
    assert (len(train), len(held)) == (95, 11) and not set(train) & set(held)
    tok = train_byte_bpe(held[:2], vocab_size=300)
    stream = encode_stream(tok, held[:2])
    assert stream[-1] == tok.token_to_id(EOT) and stream.count(tok.token_to_id(EOT)) == 2
    assert tok.id_to_token(stream[-1]) == EOT
    assert [p for p in tok.tokens("the romans") if p.startswith("Ġ")]  # marks a leading space


def test_make_model_trains_and_refreshes_the_manifest():
    import subprocess

    from tests.nbutils import REPO

    def dry(*args):
        return subprocess.run(["make", "-n", *args], cwd=REPO, capture_output=True,
                              text=True).stdout

    assert "-m course_utils train-gpt" in dry("model") and "tools/make_manifest.py" in dry("model")
    assert "--device cuda" in dry("model", "DEVICE=cuda")
