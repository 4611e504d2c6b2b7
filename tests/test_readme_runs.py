"""The README and the manual are executable: every command of their console blocks (README.md,
then docs/ in the order of mkdocs.yml's navigation) runs as written, in one folder
holding what the README's examples name (data/, edited/, corrected/, old/, new/, edited.xlsx,
deflators.csv),
with the exit code the README documents (0 unless a comment says ``exit N``, or an ``echo $?``
after it shows N) and, where the README shows output, that output (``...`` stands for lines
left out; blank lines aside). A command whose comment says ``in a terminal`` runs in a
pseudo-terminal 80 columns by 24 lines, without colour."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO

README = REPO / "README.md"


def documents() -> list[Path]:
    """The README, then the manual's pages in the order of its navigation."""
    nav = re.findall(r"^  - [^:]+: ([a-z-]+\.md)$", (REPO / "mkdocs.yml").read_text(
        encoding="utf-8"), re.M)
    return [README, *(REPO / "docs" / page for page in nav)]
#: Commands a test does not run, each with the reason: said here, never skipped silently.
NOT_RUN = {
    "pip install": "installs packages: the test environment has them",
    "--install-completion": "changes the user's shell start-up file",
    "<TAB>": "typed at an interactive shell",
}
SECONDS = 180


@dataclass
class Example:
    block: int
    command: str
    shown: list[str]  # the lines the README shows after it

    @property
    def expected_code(self) -> int:
        said = re.search(r"#.*\bexit (\d+)", self.command)
        return int(said[1]) if said else 0


def examples() -> list[Example]:
    found = []
    text = "\n".join(path.read_text(encoding="utf-8") for path in documents())
    for n, block in enumerate(re.findall(r"```console\n(.*?)```", text, re.S)):
        lines = block.splitlines()
        at = 0
        while at < len(lines):
            line = lines[at]
            at += 1
            if not line.startswith("$ "):
                continue
            command = line[2:]
            while command.rstrip().endswith("\\") and at < len(lines):
                command = command.rstrip()[:-1] + " " + lines[at].strip()
                at += 1
            shown = []
            while at < len(lines) and not lines[at].startswith("$ "):
                shown.append(lines[at])
                at += 1
            found.append(Example(n, command, shown))
    return found


EXAMPLES = examples()
RUN = [n for n, e in enumerate(EXAMPLES) if not any(word in e.command for word in NOT_RUN)]


def _edited(folder: Path) -> None:
    """edited/: Table 3 with the amount on funding.csv's line 3 mistyped."""
    path = folder / "funding.csv"
    with open(path, encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[2][rows[0].index("amount_gbp")] = "1.2.3"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)


def _corrected(folder: Path) -> None:
    """corrected/: the 2013-14 cell of low-moss corrected by £300 (183,000 to 183,300), so that
    the cells foot to the published year total."""
    path = folder / "funding.csv"
    text = path.read_text(encoding="utf-8")
    assert text.count("low-moss,2013-14,government,Scottish Government,government,183000,") == 1
    path.write_text(text.replace("low-moss,2013-14,government,Scottish Government,government,"
                                 "183000,", "low-moss,2013-14,government,Scottish Government,"
                                 "government,183300,"), encoding="utf-8")


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder the README's commands run in."""
    openpyxl = pytest.importorskip("openpyxl")
    work = tmp_path_factory.mktemp("readme")
    for name, change in (("data", None), ("edited", _edited), ("corrected", _corrected),
                         ("old", None), ("new", None)):
        shutil.copytree(REPO / "data", work / name,
                        ignore=shutil.ignore_patterns("*.md", "*.json"))
        if change is not None:
            change(work / name)
    # deflators.csv: HM Treasury's layout with invented index values (the README says so)
    shutil.copyfile(REPO / "tests" / "deflators" / "hm-treasury-layout.csv",
                    work / "deflators.csv")
    book = work / "edited.xlsx"
    subprocess.run([*_pspctl(), "export", "--format", "workbook", "-o", str(book)], check=True,
                   timeout=SECONDS)
    workbook = openpyxl.load_workbook(book)
    workbook["funding"]["F5"] = 1234.567
    workbook.save(book)
    return work


def _pspctl() -> list[str]:
    script = Path(sys.executable).with_name("pspctl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pspctl"]


def _run(command: str, folder: Path) -> tuple[int, str]:
    bin_dir = str(Path(_pspctl()[0]).parent) if len(_pspctl()) == 1 else ""
    env = {**os.environ, "COLUMNS": "80", "PATH": os.pathsep.join(
        [p for p in (bin_dir, os.environ.get("PATH", "")) if p])}
    env.pop("PSPCTL_FORMAT", None)
    if not bin_dir:  # no console script here: pspctl as a shell function
        command = f'pspctl() {{ "{sys.executable}" -m pspctl "$@"; }}; {command}'
    if re.search(r"#.*\bin a terminal\b", command):  # (progress never shown: a busy machine
        return _in_a_terminal(command, folder, {  # would show it before the table)
            **env, "LINES": "24", "NO_COLOR": "1", "PSPCTL_PROGRESS_AFTER": "never"})
    done = subprocess.run(["bash", "-c", command], cwd=folder, capture_output=True, text=True,
                          timeout=SECONDS, env=env)
    return done.returncode, done.stdout + done.stderr


def _in_a_terminal(command: str, folder: Path, env: dict[str, str]) -> tuple[int, str]:
    """``command`` with a pseudo-terminal as its stdin, stdout and stderr: what it shows."""
    import pty

    from conftest import read_terminal

    master, slave = pty.openpty()
    process = subprocess.Popen(["bash", "-c", command], cwd=folder, stdin=slave, stdout=slave,
                               stderr=slave, env=env)
    os.close(slave)
    shown = read_terminal(master)
    code = process.wait(timeout=SECONDS)
    os.close(master)
    return code, shown.decode("utf-8").replace("\r\n", "\n")


def _matches(shown: list[str], out: list[str]) -> bool:
    """Whether ``out`` is what the README shows: line for line, ``...`` any lines."""
    pattern = "".join(".*?" if line.strip() == "..." else re.escape(line.rstrip()) + "\n"
                      for line in shown)
    return re.fullmatch(pattern, "".join(line.rstrip() + "\n" for line in out if line.strip()),
                        re.S) is not None


def test_the_readme_has_examples_and_says_which_are_not_run() -> None:
    assert len(EXAMPLES) >= 30
    not_run = [e.command.split("#")[0].strip() for n, e in enumerate(EXAMPLES) if n not in RUN]
    assert not_run == ["pip install '.[charts]'", "pip install '.[xlsx]'",
                       "pspctl --install-completion", "pspctl show <TAB>",
                       "pspctl funding --from <TAB>"]


@pytest.mark.parametrize("number", RUN)
def test_every_readme_command_runs_as_written(number: int, folder: Path) -> None:
    example = EXAMPLES[number]
    if example.command.strip() == "echo $?":  # the previous command's code: checked there
        assert EXAMPLES[number - 1].command.startswith("pspctl ") and example.shown
        return
    code, out = _run(example.command, folder)
    following = EXAMPLES[number + 1] if number + 1 < len(EXAMPLES) else None
    expected = example.expected_code
    if following is not None and following.command.strip() == "echo $?":
        expected = int(following.shown[0])
    assert code == expected, (example.command, out[-2000:])
    shown = [line for line in example.shown if line.strip()]
    if shown:
        assert _matches(shown, out.splitlines()), (example.command, out[-3000:])


def test_shown_output_is_compared_line_for_line() -> None:
    assert _matches(["a", "...", "z"], ["a", "b", "c", "z"])
    assert _matches(["a", "b"], ["a", "b  "])
    assert not _matches(["a", "b"], ["a", "c"])
    assert not _matches(["a"], ["a", "b"])  # nothing more than shown, unless ... says so
    assert not _matches(["...", "z"], ["z", "y"])
