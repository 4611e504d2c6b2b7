"""pspctl: analyse and reconcile the public funding of Scotland's six Strategic PSPs.

The loader and the report functions are the Python API::

    import pspctl
    data = pspctl.load()
    pspctl.funding_by_year(data)

They are imported on first use, so that the command line starts without pandas.
"""

from __future__ import annotations

from typing import Any

from ._version import __version__
from .errors import DataError, InputError, OutputError, Problem, PspctlError, UsageError

_LAZY = {
    "load": "loader",
    "validate": "loader",
    "Dataset": "loader",
    "bundled_data_dir": "_paths",
    "psp_list": "reports",
    "psp_detail": "reports",
    "PspDetail": "reports",
    "funding_matrix": "reports",
    "funding_by_year": "reports",
    "funding_by_psp": "reports",
    "compare": "reports",
    "Comparison": "reports",
    "resolve_psp": "reports",
    "with_total": "reports",
    "reconcile": "reports",
    "Reconciliation": "reports",
}

__all__ = [
    "DataError",
    "InputError",
    "OutputError",
    "Problem",
    "PspctlError",
    "UsageError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pspctl' has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f".{module}", __name__), name)
