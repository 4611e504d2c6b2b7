"""--help and shell completion never import pandas, pyarrow or rich (a property, not a timing)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

PROBE = """
import json, sys
from pspctl.cli import app
try:
    app(sys.argv[1:], prog_name="pspctl")
except SystemExit:
    pass
heavy = sorted(m for m in ("pandas", "pyarrow", "rich", "tabulate", "numpy") if m in sys.modules)
sys.stderr.write("MODULES " + json.dumps(heavy) + "\\n")
"""


def imported(args: list[str], env: dict[str, str] | None = None) -> list[str]:
    result = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True,
                            text=True, env={**os.environ, **(env or {})}, check=False)
    line = [x for x in result.stderr.splitlines() if x.startswith("MODULES ")][-1]
    return list(json.loads(line.removeprefix("MODULES ")))


@pytest.mark.parametrize(
    "args", [["--help"], ["funding", "--help"], ["show", "--help"], ["reconcile", "--help"],
             ["--version"]],
)
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    assert imported(args) == []


@pytest.mark.parametrize("words", ["pspctl fu", "pspctl funding --", "pspctl show "])
def test_completion_imports_nothing_heavy(words: str) -> None:
    env = {"_PSPCTL_COMPLETE": "complete_bash", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - (0 if words.endswith(" ") else 1))}
    assert imported([], env) == []


def test_a_command_does_import_pandas() -> None:
    # the probe can see heavy imports: a real command makes them
    assert "pandas" in imported(["funding", "--format", "csv"])
