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
