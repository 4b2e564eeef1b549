"""``python -m ember run script.py [args]``: run an unchanged PyTorch script on ember.

The script's ``import torch`` / ``import torch.nn as nn`` / ``from torch.autograd import ...``
resolve to ember's modules through the import hook (``ember._import_hook``). The script runs as
``__main__`` with ``sys.argv == [script, *args]`` and its directory first on ``sys.path``, as
``python script.py`` would run it; an uncaught exception prints a normal traceback (the
runner's own frames left out) and exits with status 1. ``python -m ember run -m module [args]``
runs a module the way ``python -m module`` does.
"""

from __future__ import annotations

import builtins
import os
import runpy
import sys
import types

USAGE = """\
usage: python -m ember run script.py [args ...]
       python -m ember run -m module [args ...]

Run a PyTorch program on ember: `import torch` and every `torch.*` submodule resolve
to `ember` and `ember.*`.
"""

_RUNNER_FILES = {os.path.abspath(__file__), os.path.abspath(runpy.__file__), "<frozen runpy>"}


def _prog() -> str:
    return "ember" if os.path.basename(sys.argv[0]) == "ember" else "python -m ember"


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m ember`` and of the ``ember`` console script."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.stderr.write(USAGE)
        return 2
    if args[0] in ("-h", "--help", "help"):
        sys.stdout.write(USAGE)
        return 0
    if args[0] != "run":
        sys.stderr.write(f"{_prog()}: unknown command {args[0]!r}\n\n{USAGE}")
        return 2
    args = args[1:]
    if not args or (args[0] == "-m" and len(args) < 2):
        sys.stderr.write(f"{_prog()} run: a script (or -m module) is required\n\n{USAGE}")
        return 2
    if args[0] == "-m":
        return _run(module=args[1], argv=args[2:])
    return _run(script=args[0], argv=args[1:])


def _run(*, script: str | None = None, module: str | None = None, argv: list[str]) -> int:
    from ._import_hook import install

    if script is not None and not os.path.isfile(script):
        # The text CPython prints for `python missing.py`, with exit status 2.
        sys.stderr.write(
            f"{_prog()}: can't open file {os.path.abspath(script)!r}: "
            "[Errno 2] No such file or directory\n"
        )
        return 2
    install()
    try:
        if script is not None:
            _run_script(script, argv)
        else:
            sys.argv = [module, *argv]  # runpy replaces argv[0] by the module's file
            sys.path[0] = os.getcwd()
            runpy.run_module(module, run_name="__main__", alter_sys=True)
    except SystemExit:
        raise
    except BaseException as exc:  # KeyboardInterrupt included, as Python reports it
        tb = exc.__traceback__
        while tb is not None and _is_runner_frame(tb.tb_frame):
            tb = tb.tb_next
        # The default hook prints the exception's own __traceback__, so trim that one too.
        exc.__traceback__ = tb
        sys.excepthook(type(exc), exc, tb)
        return 130 if isinstance(exc, KeyboardInterrupt) else 1
    finally:
        _flush()
    return 0


def _run_script(script: str, argv: list[str]) -> None:
    # What CPython (>= 3.9) does for `python script.py`: argv[0] as given; __file__, the code's
    # file name and sys.path[0] absolute; a fresh __main__ module that stays in sys.modules.
    # (runpy.run_path would put the absolute path in argv[0].)
    path = os.path.abspath(script)
    with open(path, "rb") as f:
        source = f.read()
    code = compile(source, path, "exec", dont_inherit=True)
    main_module = types.ModuleType("__main__")
    main_module.__file__ = path
    main_module.__cached__ = None
    main_module.__builtins__ = builtins
    sys.argv = [script, *argv]
    sys.path[0] = os.path.dirname(path)
    sys.modules["__main__"] = main_module
    exec(code, main_module.__dict__)


def _is_runner_frame(frame) -> bool:
    filename = frame.f_code.co_filename
    return filename in _RUNNER_FILES or os.path.abspath(filename) in _RUNNER_FILES


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass


if __name__ == "__main__":
    sys.exit(main())
