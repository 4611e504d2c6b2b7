"""The README's command reference is the real --help output, and its Quick start is two lines."""

from __future__ import annotations

import importlib.util
import re

from conftest import REPO

spec = importlib.util.spec_from_file_location("readme_help", REPO / "tools" / "readme_help.py")
assert spec is not None and spec.loader is not None
readme_help = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_help)


def test_command_reference_in_sync_with_help() -> None:
    current = (REPO / "README.md").read_text(encoding="utf-8")
    assert current == readme_help.synced(current), "run: python tools/readme_help.py"


def test_every_command_has_a_reference_block() -> None:
    from pspctl.cli import app

    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    blocks = set(re.findall(r"<!-- help:(.*?)-->", (REPO / "README.md").read_text()))
    assert {b.strip() for b in blocks} == {"", *commands}


def test_quick_start_has_exactly_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    assert block.splitlines() == [
        "pip install . && pspctl funding",
        "pip install '.[test]' && pytest",
    ]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert "\npip install '.[test]' && pytest\n" in ci
