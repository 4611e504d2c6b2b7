"""pspctl: analyse and reconcile the public funding of Scotland's six Strategic PSPs.

The loader and the report functions are the Python API::

    import pspctl
    data = pspctl.load()                  # a Dataset: one DataFrame per data file
    pspctl.funding_by_year(data)          # a DataFrame, money as exact Decimal pounds
    pspctl.reconcile(data, headline="£2,759,368").verdict

- Loading: ``load``, ``validate`` (a list of ``Problem``), ``Dataset``, ``bundled_data_dir``.
- Reports (DataFrames): ``psp_list``, ``funding_matrix``, ``funding_by_year``,
  ``funding_by_psp``, ``with_total``; ``psp_detail`` (a ``PspDetail``), ``compare`` (a
  ``Comparison``), ``reconcile`` (a ``Reconciliation``); ``resolve_psp`` (an id from a name).
- Real terms: ``load_deflators`` (HM Treasury's GDP deflators, a ``Deflators``) and
  ``real_terms`` (a frame at one year's prices).
- Open data: ``grants_360`` (360Giving grants).
- Errors: ``PspctlError`` and its kinds ``UsageError``, ``InputError``, ``OutputError``,
  ``DataError`` (which carries every ``Problem``).

They are imported on first use, the errors too: importing the package runs nothing, so that
the console script's first line (which answers Ctrl-C) comes before any import of pspctl's that
could be interrupted, and the command line starts without pandas. ``dir(pspctl)`` and
``help(pspctl)`` list them all.
"""

# No `from __future__ import annotations` here: it imports the __future__ module, a moment in
# which an interrupt would land in this file before any handler of pspctl's can exist.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    # (what mypy and editors see of the names imported on first use below)
    from ._paths import bundled_data_dir as bundled_data_dir
    from ._version import __version__ as __version__
    from .deflators import Deflators as Deflators
    from .deflators import load_deflators as load_deflators
    from .errors import DataError as DataError
    from .errors import InputError as InputError
    from .errors import OutputError as OutputError
    from .errors import Problem as Problem
    from .errors import PspctlError as PspctlError
    from .errors import UsageError as UsageError
    from .export import grants_360 as grants_360
    from .loader import Dataset as Dataset
    from .loader import load as load
    from .loader import validate as validate
    from .reports import Comparison as Comparison
    from .reports import PspDetail as PspDetail
    from .reports import Reconciliation as Reconciliation
    from .reports import compare as compare
    from .reports import funding_by_psp as funding_by_psp
    from .reports import funding_by_year as funding_by_year
    from .reports import funding_matrix as funding_matrix
    from .reports import numeric as numeric
    from .reports import psp_detail as psp_detail
    from .reports import psp_list as psp_list
    from .reports import reconcile as reconcile
    from .reports import resolve_psp as resolve_psp
    from .reports import with_total as with_total
    from .reports.realterms import real_terms as real_terms

_LAZY = {
    "__version__": "_version",
    "DataError": "errors",
    "InputError": "errors",
    "OutputError": "errors",
    "Problem": "errors",
    "PspctlError": "errors",
    "UsageError": "errors",
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
    "grants_360": "export",
    "numeric": "reports",
    "load_deflators": "deflators",
    "Deflators": "deflators",
    "real_terms": "reports.realterms",
}

__all__ = list(_LAZY)


def __getattr__(name: str) -> "Any":
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pspctl' has no attribute {name!r}")
    from importlib import import_module

    found = getattr(import_module(f".{module}", __name__), name)
    if module.startswith("reports"):
        _in_a_notebook()
    return found


def _in_a_notebook() -> None:
    """Inside IPython (Jupyter), results are shown as HTML (:mod:`pspctl.notebook`)."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None and getattr(shell, "display_formatter", None) is not None:
        from .notebook import register

        register(shell)


def __dir__() -> list[str]:
    return sorted(__all__)
