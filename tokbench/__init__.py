"""tokbench: how good is a tokenizer, and what does it reveal.

The Python API (`tokbench.api`) is reached lazily, so `import tokbench` (and the CLI's start-up) loads
neither pandas nor the report stack::

    import tokbench as tb
    df = tb.evaluate(["gpt2", "cl100k_base"], corpora="udhr", metrics="ctc", langs=["eng_Latn", "tur_Latn"])
    tb.report(df, out="my_report")

`tokbench.report`, `tokbench.mixture` and `tokbench.check` are modules as well as API calls: Python stores a
submodule as an attribute of its parent when it is imported, which would hide a function of that name, so
those module objects are made callable (calling one calls `tokbench.api.report` / `.mixture` / `.check`).
"""

from __future__ import annotations

import sys
import types
from typing import Any

__version__ = "0.2.0"

_API = ("evaluate", "report", "inspect", "mixture", "check", "tokenizer", "InspectResult", "MixtureReport",
        "CheckReport")
_CALLABLE_PACKAGES = {"tokbench.report": "report", "tokbench.mixture": "mixture", "tokbench.check": "check"}

__all__ = ["TokbenchError", "__version__", *_API]


class _CallablePackage(types.ModuleType):
    """A submodule that is also the API function of the same name."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        from tokbench import api

        return getattr(api, _CALLABLE_PACKAGES[self.__name__])(*args, **kwargs)


class _CallablePackageFinder:
    """Finds `tokbench.report` / `.mixture` / `.check` as usual and makes the module callable before it runs."""

    @staticmethod
    def find_spec(fullname: str, path: Any = None, target: Any = None) -> Any:
        if fullname not in _CALLABLE_PACKAGES:
            return None
        from importlib.machinery import PathFinder

        spec = PathFinder.find_spec(fullname, path)
        loader = getattr(spec, "loader", None)
        if loader is None or not hasattr(loader, "exec_module"):
            return spec
        run = loader.exec_module

        def exec_module(module: types.ModuleType) -> None:
            module.__class__ = _CallablePackage
            run(module)

        loader.exec_module = exec_module  # this spec's own loader instance
        return spec


if not any(isinstance(f, type) and f.__name__ == "_CallablePackageFinder" for f in sys.meta_path):
    sys.meta_path.insert(0, _CallablePackageFinder)  # type: ignore[arg-type]


def __getattr__(name: str) -> Any:
    if f"tokbench.{name}" in _CALLABLE_PACKAGES:
        import importlib

        return importlib.import_module(f"tokbench.{name}")
    if name in _API:
        from tokbench import api

        return getattr(api, name)
    if name == "TokbenchError":
        from tokbench.errors import TokbenchError

        return TokbenchError
    raise AttributeError(f"module 'tokbench' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
