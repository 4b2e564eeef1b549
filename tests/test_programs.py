"""Tutorial-style PyTorch programs (tests/programs/*.py) run unchanged on ember.

Each program runs twice: as ``python prog.py`` would under the real torch (a forked child of
one process that imported torch) and as ``python -m ember run prog.py`` (the import hook maps
``torch`` to ``ember``). ember's stdout
must equal torch's line for line, after torch's own name in its output becomes ``ember.``
(``torch.float64`` -> ``ember.float64``). Object addresses (``<AddBackward0 object at 0x...>``)
differ between any two runs, so they are masked in both outputs.

A few programs print losses with 5 digits, not 6: there the last float32 digit differs from
NumPy's summation order / BLAS kernels / libm (exp, tanh), not from a wrong formula.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PROGRAMS = sorted((ROOT / "tests" / "programs").glob("*.py"))
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+>")


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(ROOT / "src"), env.get("PYTHONPATH", "")) if p
    )
    env["PYTHONIOENCODING"] = "utf-8"
    # The runs share the machine's cores; one thread each keeps them from oversubscribing.
    env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = "1"
    return env


def _run(args: list[str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=_env(), capture_output=True,
                          text=True, timeout=300)


# The torch side imports torch once (2 s of the ~3 s a program takes) and forks one child per
# program, which runs it as ``python prog.py`` would (``__main__``, argv, sys.path[0]) with
# stdout/stderr to files. The ember side is the real ``python -m ember run`` command line.
_TORCH_RUNNER = """
import os, runpy, sys, traceback
import torch
out, progs = sys.argv[1], sys.argv[2:]
pids = {}
for prog in progs:
    pid = os.fork()
    if pid == 0:
        name = os.path.join(out, os.path.basename(prog))
        for fd, ext in ((1, ".out"), (2, ".err")):
            os.dup2(os.open(name + ext, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv, sys.path[0], code = [prog], os.path.dirname(os.path.abspath(prog)), 0
        try:
            runpy.run_path(prog, run_name="__main__")
        except SystemExit as e:
            code = e.code if isinstance(e.code, int) else 1
        except BaseException:
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    pids[pid] = prog
for _ in progs:
    pid, status = os.wait()
    name = os.path.join(out, os.path.basename(pids[pid]))
    with open(name + ".rc", "w") as f:
        f.write(str(os.waitstatus_to_exitcode(status)))
"""


def _torch_outputs(tmp: Path) -> dict:
    r = _run(["-c", _TORCH_RUNNER, str(tmp), *(str(p.relative_to(ROOT)) for p in PROGRAMS)])
    assert r.returncode == 0, r.stderr
    return {
        p.stem: subprocess.CompletedProcess(
            [p.name], int((tmp / (p.name + ".rc")).read_text()),
            (tmp / (p.name + ".out")).read_text(encoding="utf-8"),
            (tmp / (p.name + ".err")).read_text(encoding="utf-8"))
        for p in PROGRAMS
    }


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    """{(program name, 'torch' | 'ember'): CompletedProcess}, all runs started concurrently."""
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        torch_runs = pool.submit(_torch_outputs, tmp_path_factory.mktemp("torch_programs"))
        ember_runs = {
            p.stem: pool.submit(_run, ["-m", "ember", "run", str(p.relative_to(ROOT))])
            for p in PROGRAMS
        }
        res = {(name, "ember"): f.result() for name, f in ember_runs.items()}
        res.update({(name, "torch"): r for name, r in torch_runs.result().items()})
    return res


def _lines(text: str) -> list[str]:
    return _ADDRESS.sub(" at 0x...>", text).splitlines()


def test_programs_present():
    assert len(PROGRAMS) >= 6


@pytest.mark.parametrize("name", [p.stem for p in PROGRAMS])
def test_program_matches_torch(outputs, name):
    t, e = outputs[name, "torch"], outputs[name, "ember"]
    assert t.returncode == 0, t.stderr
    assert e.returncode == 0, e.stderr
    assert e.stderr == "" or e.stderr == t.stderr.replace("torch.", "ember."), e.stderr
    expected = _lines(t.stdout.replace("torch.", "ember."))
    got = _lines(e.stdout)
    assert len(expected) > 10  # the program really ran and printed
    for i, (want, have) in enumerate(zip(expected, got)):
        assert have == want, f"{name}.py line {i + 1}:\n torch: {want!r}\n ember: {have!r}"
    assert len(got) == len(expected)
