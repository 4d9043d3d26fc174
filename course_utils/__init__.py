"""Helpers for the *Embeddings in LLMs* course.

Import the topic module you need, e.g. ``from course_utils.data import load_glove``.
This top-level module stays light: heavy libraries (torch, transformers, gensim)
are imported inside the functions that use them, so ``import course_utils`` is fast.

Module map (the lessons that use a module most in brackets; nothing imports upward):

Data and set-up
- ``runtime``: ``set_seed``, ``get_device`` (every lesson)
- ``validation``: the argument checks and the atomic file write every module shares
- ``data``: the offline catalog, checksums, cache, corpora, evaluation sets, GloVe and MiniLM
- ``textfiles``: reading the corpora and vectors files you pass yourself (compressed, any encoding)
- ``toyworld``: the generated toy corpus with planted relations (02a, 05)
- ``colab``: the first cell of every lesson: installs the course on Colab, a no-op elsewhere
- ``__main__``: ``python -m course_utils doctor`` and ``train-gpt``

Building and positioning embeddings
- ``text``: tokenizers, ``Vocab``, BPE, OOV rate, padding (01)
- ``initializers``: initialization schemes, pretrained and subword init, growing a table (02a, 02b)
- ``positions``: sinusoidal, RoPE, ALiBi, T5 buckets, BERT's embedding layer (03)

Measuring them
- ``geometry``: similarity measures, the blocked top-k search, neighbours and analogies (04)
- ``pathologies``: anisotropy and hubness: centering, all-but-the-top, k-occurrence (04)
- ``bias``: WEAT (04)
- ``projector``: export vectors for the Embedding Projector (04)
- ``explorers``: the ipywidgets explorers, with a static view under nbval (03, 04, 08)

Training them
- ``word2vec``: the recipe (vocabulary, subsampling, noise, window pairs) and its NumPy loop (05)
- ``w2v_engine``: the compiled (Numba) skip-gram and CBOW kernels (05, 06)
- ``sgns``: ``train_sgns``, ``train_cbow``, ``train_word2vec`` on the compiled engine (05, 06)
- ``sgns_torch``: the PyTorch trainer (``device="cuda"``, optimizer studies, snapshots) (05)
- ``gpt``: the course's small GPT, its tokenizer and checkpoint (07)
- ``gpt_train``: training that GPT (``make model``)

Evaluating and using them
- ``encoders``: words and texts to vectors: bag of embeddings, MiniLM, mean pooling (06, 08)
- ``evaluate``: word similarity and analogies with bootstrap intervals, Lee documents (04, 05, 06)
- ``probes``: word groups, clustering, linear probes, sentence polarity (06)
- ``compare``: one table comparing several embeddings on every task (06)
- ``retrieval``: sentence encoders, search, ranking metrics, quantization, InfoNCE, BM25 (08)
- ``checks``: the exercise checkers, one module per lesson
"""

from course_utils.runtime import get_device, set_seed

__all__ = ["get_device", "set_seed"]
__version__ = "0.1.0"
