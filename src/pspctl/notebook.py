"""Results in a notebook: a reconciliation, a comparison, a review or the differences of two
editions shown in Jupyter as the HTML the audit pack uses, verdict first.

Jupyter asks IPython's HTML formatter how to show an object; :func:`register` tells it, for the
result classes, by their names (nothing is imported until one is shown). ``pspctl`` registers
them itself when it is used inside IPython, so ``pspctl.reconcile(data)`` in a cell shows its
checks and its verdict.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from . import views
from .writers import html as html_writer

#: The result classes, by module and name, and the view each is shown as.
SHOWN = {
    ("pspctl.reports.reconciliation", "Reconciliation"): "reconcile_view",
    ("pspctl.reports.comparison", "Comparison"): "compare_view",
    ("pspctl.reports.review", "Review"): "review_view",
    ("pspctl.reports.editions", "Differences"): "diff_view",
}


def as_html(result: Any) -> str:
    """The result as HTML: its verdict (when it has one), then its tables and notes."""
    kind = (type(result).__module__, type(result).__name__)
    view = getattr(views, SHOWN[kind])(result)
    verdict = (f"<p><strong>{html_writer.html_text(view.verdict)}</strong></p>\n"
               if view.verdict else "")
    body = html_writer.write(replace(view, verdict=None, sectioned=True), labels=True)
    return f'<div class="pspctl">\n{verdict}{body}</div>\n'


def register(shell: Any) -> None:
    """Tell IPython's ``shell`` to show the result classes with :func:`as_html`."""
    formatter = shell.display_formatter.formatters["text/html"]
    for module, name in SHOWN:
        formatter.for_type_by_name(module, name, as_html)


__all__ = ["SHOWN", "as_html", "register"]
