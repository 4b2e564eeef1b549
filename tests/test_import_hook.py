"""``python -m ember run script.py``: unchanged PyTorch scripts on ember via the import hook.

Scripts run in subprocesses (the test process itself has the real torch imported).
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _write(tmp_path: Path, source: str, name: str = "script.py") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(source))
    return path


def run_ember(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ember", *map(str, args)],
        cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120,
    )


def run_python(args, cwd) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, *map(str, args)],
        cwd=cwd, env=_env(), capture_output=True, text=True, timeout=120,
    )


def test_aliasing_argv_and_main(tmp_path):
    _write(tmp_path, """
        import sys
        import torch
        import torch.autograd
        import torch.autograd as ag
        import torch.autograd.grad_mode as gm
        from torch.autograd import grad_mode
        from torch import autograd
        import ember

        print(sys.argv)
        print(__name__, __file__ == sys.path[0] + "/script.py")
        print(sys.modules["torch"] is ember, torch is ember)
        print(torch.autograd is ember.autograd, ag is ember.autograd, autograd is ember.autograd)
        print(sys.modules["torch.autograd"] is ember.autograd)
        print(gm is ember.autograd.grad_mode, grad_mode is ember.autograd.grad_mode)
        print(sys.modules["torch.autograd.grad_mode"] is ember.autograd.grad_mode)
        # The modules stay ember's: their own names and specs, nothing copied.
        print(torch.__name__, torch.__spec__.name, ag.__name__, ag.__spec__.name)
        # The real torch is never loaded.
        print("torch._C" in sys.modules, "ember" in repr(sys.modules["torch"]))
        print(sys.modules["__main__"].__dict__ is globals())
    """)
    r = run_ember(["run", "script.py", "a", "--flag", "-x", "b c"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "['script.py', 'a', '--flag', '-x', 'b c']",
        "__main__ True",
        "True True",
        "True True True",
        "True",
        "True True",
        "True",
        "ember ember ember.autograd ember.autograd",
        "False True",
        "True",
    ]
    assert r.stderr == ""


def test_same_output_as_torch(tmp_path):
    script = _write(tmp_path, """
        import torch
        x = torch.tensor([[1., 2., 3.], [4., 5., 6.]], requires_grad=True)
        y = (x * 2 + 1).sum()
        y.backward()
        print(x)
        print(y)
        print(x.grad)
        print(x.shape, x.dtype, x.device)
        print(torch.arange(6).reshape(2, 3) + 1)
        with torch.no_grad():
            print((x * x).requires_grad)
        a = torch.tensor([1., 2.])
        a.sum().backward()  # torch's error, exit status 1
    """)
    ours = run_ember(["run", script], tmp_path)
    theirs = run_python([script], tmp_path)
    assert theirs.returncode == ours.returncode == 1
    assert ours.stdout == theirs.stdout.replace("torch.", "ember.")
    assert ours.stderr.startswith("Traceback (most recent call last):\n")
    assert ours.stderr.splitlines()[-1] == theirs.stderr.splitlines()[-1]


def test_exception_traceback_and_exit_code(tmp_path):
    # A script that does not import torch behaves exactly as under plain Python: same
    # traceback text (no frames of ember's runner) and exit status 1.
    _write(tmp_path, """
        import sys
        print("before", flush=True)

        def inner():
            raise ValueError("boom")

        def outer():
            try:
                inner()
            except ValueError as exc:
                raise KeyError("again") from exc

        outer()
    """)
    ours = run_ember(["run", "script.py"], tmp_path)
    theirs = run_python(["script.py"], tmp_path)
    assert theirs.returncode == ours.returncode == 1
    assert ours.stdout == theirs.stdout == "before\n"
    assert ours.stderr == theirs.stderr
    assert "runpy" not in ours.stderr and "__main__.py" not in ours.stderr


def test_syntax_error(tmp_path):
    _write(tmp_path, "x = (\n")
    ours = run_ember(["run", "script.py"], tmp_path)
    theirs = run_python(["script.py"], tmp_path)
    assert ours.returncode == theirs.returncode == 1
    assert ours.stderr == theirs.stderr


@pytest.mark.parametrize("code", [0, 3])
def test_sys_exit(tmp_path, code):
    _write(tmp_path, f"import sys\nimport torch\nprint('hi')\nsys.exit({code})\nprint('no')\n")
    r = run_ember(["run", "script.py"], tmp_path)
    assert r.returncode == code
    assert r.stdout == "hi\n"


def test_missing_submodule(tmp_path):
    _write(tmp_path, """
        import torch
        for name in ("torch.fx", "torch.fx.passes", "torch._C"):
            try:
                __import__(name)
            except ModuleNotFoundError as exc:
                print(type(exc).__name__, exc, exc.name)
        import torch.fx
    """)
    r = run_ember(["run", "script.py"], tmp_path)
    assert r.stdout.splitlines() == [
        "ModuleNotFoundError No module named 'torch.fx' torch.fx",
        "ModuleNotFoundError No module named 'torch.fx' torch.fx",
        "ModuleNotFoundError No module named 'torch._C' torch._C",
    ]
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == "ModuleNotFoundError: No module named 'torch.fx'"
    assert 'File "' + str(tmp_path / "script.py") + '", line 8, in <module>' in r.stderr


def test_script_imports_its_neighbours_and_pickles_main_classes(tmp_path):
    _write(tmp_path, "import torch\nVALUE = torch.tensor([1, 2])\n", name="helper.py")
    _write(tmp_path, """
        import pickle
        import helper

        class Box:
            pass

        b = pickle.loads(pickle.dumps(Box()))
        print(type(b).__qualname__, helper.VALUE)
    """)
    sub = tmp_path / "sub"
    sub.mkdir()
    r = run_ember(["run", tmp_path / "script.py"], sub)  # the script's dir goes on sys.path
    assert r.returncode == 0, r.stderr
    assert r.stdout == "Box tensor([1, 2])\n"


def test_run_module(tmp_path):
    _write(tmp_path, "import sys, torch\nprint(__name__, sys.argv[1:], torch.__name__)\n",
           name="mymod.py")
    r = run_ember(["run", "-m", "mymod", "x", "y"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "__main__ ['x', 'y'] ember\n"


def test_usage(tmp_path):
    r = run_ember([], tmp_path)
    assert r.returncode == 2
    assert r.stdout == ""
    assert r.stderr.startswith("usage: python -m ember run script.py")


def test_bad_invocations(tmp_path, capsys, monkeypatch):
    from ember.__main__ import main

    monkeypatch.chdir(tmp_path)
    assert main(["--help"]) == 0
    assert capsys.readouterr().out.startswith("usage: python -m ember run script.py")
    assert main(["frobnicate"]) == 2
    assert "unknown command 'frobnicate'" in capsys.readouterr().err
    assert main(["run"]) == 2
    assert "usage:" in capsys.readouterr().err
    assert main(["run", "-m"]) == 2
    assert "usage:" in capsys.readouterr().err
    assert main(["run", "missing.py"]) == 2
    missing = str(tmp_path / "missing.py")
    assert capsys.readouterr().err == (
        f"python -m ember: can't open file {missing!r}: [Errno 2] No such file or directory\n"
    )


def test_console_script(tmp_path):
    exe = Path(sys.executable).parent / "ember"
    if not exe.exists():
        pytest.skip("the `ember` console script is not installed in this environment")
    _write(tmp_path, "import sys, torch\nprint(sys.argv, torch.__name__)\n")
    r = subprocess.run([str(exe), "run", "script.py", "1"], cwd=tmp_path, env=_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "['script.py', '1'] ember\n"


def test_install_refuses_when_real_torch_is_loaded():
    import torch  # noqa: F401  (the real one, in this test process)

    from ember import _import_hook

    with pytest.raises(RuntimeError, match="before torch is imported"):
        _import_hook.install()
    assert not _import_hook.is_installed()


def test_install_uninstall_in_process(tmp_path):
    _write(tmp_path, """
        import sys
        import ember
        from ember import _import_hook

        _import_hook.install()
        _import_hook.install()  # idempotent
        import torch
        import torch.autograd
        print(torch is ember, sum(f is _import_hook._FINDER for f in sys.meta_path))
        _import_hook.uninstall()
        print("torch" in sys.modules, "torch.autograd" in sys.modules, _import_hook.is_installed())
        print(ember.autograd.__spec__.name)
    """)
    r = run_python(["script.py"], tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == ["True 1", "False False False", "ember.autograd"]
