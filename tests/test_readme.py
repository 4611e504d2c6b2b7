"""The manual's command reference (docs/reference.md) is the real --help output, the manual
builds strictly, and the README's Quick start is two lines."""

from __future__ import annotations

import importlib.util
import re

from conftest import REPO

spec = importlib.util.spec_from_file_location("readme_help", REPO / "tools" / "readme_help.py")
assert spec is not None and spec.loader is not None
readme_help = importlib.util.module_from_spec(spec)
spec.loader.exec_module(readme_help)


REFERENCE = readme_help.REFERENCE


def test_command_reference_in_sync_with_help() -> None:
    current = REFERENCE.read_text(encoding="utf-8")
    assert current == readme_help.synced(current), "run: python tools/readme_help.py"


def test_every_command_has_a_reference_block() -> None:
    from pspctl.cli import app

    commands = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    blocks = set(re.findall(r"<!-- help:(.*?)-->", REFERENCE.read_text(encoding="utf-8")))
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


def test_the_manual_builds_strictly(tmp_path: object) -> None:
    """mkdocs build --strict: no broken link, anchor or page; every page in the navigation."""
    import subprocess
    import sys
    from pathlib import Path

    site = Path(str(tmp_path)) / "site"
    done = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-q", "-d",
                           str(site)], cwd=REPO, capture_output=True, text=True, timeout=300,
                          check=False)
    assert (done.returncode, done.stderr) == (0, "")
    pages = sorted(p.stem for p in (REPO / "docs").glob("*.md"))
    nav = re.findall(r"^  - [^:]+: ([a-z-]+)\.md$",
                     (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M)
    assert sorted(nav) == pages
    assert all((site / ("" if p == "index" else p) / "index.html").exists() for p in pages)


def test_the_readme_links_every_page_of_the_manual() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    linked = set(re.findall(r"\]\(docs/([a-z-]+)\.md\)", text))
    assert linked == {p.stem for p in (REPO / "docs").glob("*.md")}
