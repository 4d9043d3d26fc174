import subprocess
import sys


def run(code_or_args):
    return subprocess.run([sys.executable, *code_or_args], capture_output=True, text=True,
                          timeout=300)


def test_doctor_reports_every_source_verified():
    result = run(["-m", "course_utils", "doctor"])
    assert result.returncode == 0, result.stdout + result.stderr
    for name in ("wiki", "glove", "minilm", "toy"):
        assert f"ok   {name}" in result.stdout
    assert "GPU" in result.stdout and "all good" in result.stdout


def test_doctor_rejects_unknown_commands():
    result = run(["-m", "course_utils", "fix-everything"])
    assert result.returncode == 2 and "invalid choice" in result.stderr


def test_import_is_light():
    """`import course_utils` must not pull in torch, transformers or gensim."""
    code = ("import sys, course_utils; heavy = {'torch', 'transformers', 'gensim', 'numpy'} "
            "& set(sys.modules); print(sorted(heavy))")
    result = run(["-c", code])
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


# ----------------------------------------------------------------- never a traceback

import json  # noqa: E402

import pytest  # noqa: E402

from course_utils import __main__ as main_module  # noqa: E402
from course_utils import data  # noqa: E402


@pytest.fixture
def quick_doctor(monkeypatch, tmp_cache):
    """The doctor with every source "verified" instantly (hashing 200 MB is not the point)."""
    monkeypatch.setattr(data, "verify_source", lambda name: ["checked"])

    def doctor(capsys):
        status = main_module.doctor()
        out = capsys.readouterr()
        assert "Traceback" not in out.out + out.err
        return status, out.out

    return doctor


def _set_manifest(monkeypatch, tmp_path, text):
    path = tmp_path / "manifest.json"
    path.write_text(text)
    monkeypatch.setattr(data, "MANIFEST_PATH", path)


@pytest.mark.parametrize("problem, expected", [
    ("cache folder is a file", "FAIL cache folder      CacheDirError: the cache folder"),
    ("catalog missing", "FAIL data catalog      MissingDataError: the data catalog"),
    ("catalog holds []", "FAIL data catalog      DataIntegrityError: .*has no 'sources' table"),
    ("catalog entry lacks fields", "FAIL data catalog      DataIntegrityError: .*damaged entry "
                                   "for 'x'"),
    ("catalog not UTF-8", "FAIL data catalog      DataIntegrityError: .*not valid JSON"),
    ("a check fails unexpectedly", "FAIL polarity          RuntimeError: disk on fire; run "
                                   "`python -m pip install .*report it"),
    ("a file unreadable", "FAIL lee              PermissionError: denied; fix the file's "
                          "permissions"),
    ("torch broken", "FAIL torch            ModuleNotFoundError: .*; run `python -m pip install"),
    ("package metadata missing", "FAIL numpy            not installed: run `python -m pip"),
])
def test_doctor_turns_every_problem_into_a_fail_line(quick_doctor, capsys, monkeypatch, tmp_path,
                                                     problem, expected):
    import re
    import sys

    if problem == "cache folder is a file":
        blocker = tmp_path / "file"
        blocker.write_text("x")
        monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker))
    elif problem == "catalog missing":
        monkeypatch.setattr(data, "MANIFEST_PATH", tmp_path / "nowhere.json")
    elif problem == "catalog holds []":
        _set_manifest(monkeypatch, tmp_path, "[]")
    elif problem == "catalog entry lacks fields":
        _set_manifest(monkeypatch, tmp_path, json.dumps({"sources": {"x": {"title": "t"}}}))
    elif problem == "catalog not UTF-8":
        (tmp_path / "manifest.json").write_bytes(b"\xff\xfe{")
        monkeypatch.setattr(data, "MANIFEST_PATH", tmp_path / "manifest.json")
    elif problem in ("a check fails unexpectedly", "a file unreadable"):
        def verify(name):
            if name == "polarity" and problem == "a check fails unexpectedly":
                raise RuntimeError("disk on fire")
            if name == "lee" and problem == "a file unreadable":
                raise PermissionError("denied")
            return ["checked"]
        monkeypatch.setattr(data, "verify_source", verify)
    elif problem == "torch broken":
        monkeypatch.setitem(sys.modules, "torch", None)
    else:
        real = main_module.md.version

        def version(name):
            if name == "numpy":
                raise main_module.md.PackageNotFoundError(name)
            return real(name)
        monkeypatch.setattr(main_module.md, "version", version)
    status, out = quick_doctor(capsys)
    assert status == 1 and re.search(re.sub(" {2,}", r"\\s+", expected), out), out
    assert "problem(s): see the lines above" in out


def test_doctor_with_a_damaged_memo_reports_all_good(quick_doctor, capsys, tmp_cache):
    tmp_cache.mkdir(parents=True)
    (tmp_cache / "verified.json").write_text("[]")  # failures for data that is fine before
    status, out = quick_doctor(capsys)
    assert status == 0 and "all good" in out
