"""Keep the manual's command reference (docs/reference.md) in sync with ``pspctl --help``.

    python tools/readme_help.py          # rewrite the help blocks of docs/reference.md
    python tools/readme_help.py --check  # exit 1 and show what drifted

Each block between ``<!-- help: ARGS -->`` and ``<!-- /help -->`` is replaced by the output of
``pspctl ARGS --help`` at a fixed width of 88 columns.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import sys
from pathlib import Path

REFERENCE = Path(__file__).resolve().parent.parent / "docs" / "reference.md"
BLOCK = re.compile(r"(<!-- help:(?P<args>[^>]*?)-->\n)(?P<body>.*?)(<!-- /help -->)", re.S)
WIDTH = "88"


def help_text(args: str) -> str:
    env = {**os.environ, "COLUMNS": WIDTH, "LC_ALL": "C.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-m", "pspctl", *args.split(), "--help"],
        capture_output=True, text=True, env=env, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"pspctl {args} --help failed: {result.stderr}")
    return result.stdout.replace("python -m pspctl", "pspctl")


def synced(readme: str) -> str:
    def block(match: re.Match[str]) -> str:
        body = help_text(match["args"])
        return f"{match[1]}```text\n{body}```\n{match[4]}"

    return BLOCK.sub(block, readme)


def main(argv: list[str]) -> int:
    current = REFERENCE.read_text(encoding="utf-8")
    wanted = synced(current)
    if "--check" in argv:
        if current != wanted:
            sys.stdout.writelines(
                difflib.unified_diff(
                    current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                    "docs/reference.md", "pspctl --help",
                )
            )
            print("docs/reference.md is out of date: run python tools/readme_help.py")
            return 1
        return 0
    REFERENCE.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
