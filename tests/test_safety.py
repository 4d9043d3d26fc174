"""Safe by construction: no unpickling of outside files, no network APIs, Jupyter defaults kept.

Scans every Python file, notebook code cell, Makefile and CI script in the repository.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.nbutils import REPO, code_cells, read

SKIP_DIRS = {".venv", ".cache", ".git", "__pycache__", ".ipynb_checkpoints", "results",
             ".pytest_cache", ".ruff_cache", "build"}
THIS = Path(__file__).resolve()


def sources() -> list[tuple[str, str]]:
    """(name, text) for every code source the course ships."""
    out = []
    for path in sorted(REPO.rglob("*")):
        rel = path.relative_to(REPO)
        if any(part in SKIP_DIRS or part.startswith(".venv") for part in rel.parts[:-1]):
            continue
        if not path.is_file() or path.resolve() == THIS:
            continue
        if path.suffix == ".py" or path.name in ("Makefile", "run") or path.suffix == ".cfg":
            out.append((str(rel), path.read_text(encoding="utf-8")))
        elif path.suffix == ".ipynb":
            for i, cell in enumerate(code_cells(read(path))):
                out.append((f"{rel} cell {i}", cell.source))
    return out


SOURCES = sources()

FORBIDDEN = {
    "unpickling": r"\b(c?[Pp]ickle|joblib|dill)\.loads?\(|allow_pickle\s*=\s*True",
    "pickle-based gensim loading": r"\b(Word2Vec|KeyedVectors|FastText|Doc2Vec)\.load\(",
    "a network API": r"\bimport requests\b|\burllib\.request\b|\bhttp\.client\b|\burlopen\(|"
                     r"hf_hub_download|snapshot_download|gensim\.downloader|torch\.hub\.|"
                     r"\bwget\b|\bcurl\b",
    "weakened JupyterLab defaults": r"--ip[= ]0\.0\.0\.0|\.ip\s*=\s*['\"]0\.0\.0\.0|"
                                    r"(ServerApp|NotebookApp|IdentityProvider)\.(token|password)|"
                                    r"disable_check_xsrf|allow_origin|--no-token",
}


def test_the_scan_sees_the_code():
    names = [name for name, _ in SOURCES]
    assert any(n.startswith("course_utils") for n in names)
    assert any(".ipynb cell" in n for n in names)
    assert "Makefile" in names


@pytest.mark.parametrize("what", sorted(FORBIDDEN))
def test_no_forbidden_calls(what):
    pattern = re.compile(FORBIDDEN[what])
    hits = [f"{name}: {m.group(0)}" for name, text in SOURCES for m in pattern.finditer(text)]
    assert not hits, f"{what} found:\n" + "\n".join(hits)


def test_torch_load_always_uses_weights_only():
    hits = []
    for name, text in SOURCES:
        for m in re.finditer(r"torch\.load\(", text):
            call = text[m.start(): text.find(")", m.start()) + 1]
            if "weights_only=True" not in call:
                hits.append(f"{name}: {call}")
    assert not hits, "torch.load without weights_only=True:\n" + "\n".join(hits)


def test_from_pretrained_is_local_only():
    hits = []
    for name, text in SOURCES:
        for m in re.finditer(r"\.from_pretrained\(", text):
            if re.search(r"nn\.(Embedding|EmbeddingBag)$", text[max(0, m.start() - 30):m.start()]):
                continue  # torch's constructor from a tensor: nothing is loaded
            depth, end = 0, m.end() - 1
            for end in range(m.end() - 1, len(text)):
                depth += {"(": 1, ")": -1}.get(text[end], 0)
                if depth == 0:
                    break
            if "local_files_only=True" not in text[m.start(): end]:
                hits.append(f"{name}: {text[m.start(): end + 1][:120]}")
    assert not hits, "from_pretrained without local_files_only=True:\n" + "\n".join(hits)


def test_no_jupyter_config_files_in_the_repository():
    configs = [p for p in REPO.rglob("jupyter_*_config.*")
               if not any(part in SKIP_DIRS or part.startswith(".venv")
                          for part in p.relative_to(REPO).parts)]
    assert not configs, f"config files that could change JupyterLab's defaults: {configs}"


def test_the_scan_would_catch_a_violation():
    bad = "import pickle\nwith open(p, 'rb') as f:\n    obj = pickle.load(f)\n"
    assert re.search(FORBIDDEN["unpickling"], bad)
    assert re.search(FORBIDDEN["a network API"], "from urllib.request import urlopen")
    assert re.search(FORBIDDEN["weakened JupyterLab defaults"], "jupyter lab --ip=0.0.0.0")
