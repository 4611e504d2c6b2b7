"""The distribution (#30): an sdist and a wheel built as a package index takes them, passing
twine check and check-wheel-contents; the wheel holds py.typed, the bundled data and the
licence and nothing of tests or bench; installed from the wheel into a fresh venv, run from
another folder, pspctl works and mypy sees its types; the CHANGELOG names this version."""

from __future__ import annotations

import re
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

from pspctl import __version__

SECONDS = 600


def _run(args: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=SECONDS,
                          check=False)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    done = _run([sys.executable, "-m", "build", "--outdir", str(out), str(REPO)])
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return out


def _wheel(dist: Path) -> Path:
    [wheel] = dist.glob("*.whl")
    return wheel


def test_twine_and_check_wheel_contents_pass(dist: Path) -> None:
    files = sorted(str(p) for p in dist.iterdir())
    assert [Path(f).name for f in files] == [f"pspctl-{__version__}-py3-none-any.whl",
                                             f"pspctl-{__version__}.tar.gz"]
    twine = _run([sys.executable, "-m", "twine", "check", "--strict", *files])
    assert twine.returncode == 0, twine.stdout + twine.stderr
    assert twine.stdout.count("PASSED") == 2
    contents = _run([sys.executable, "-m", "check_wheel_contents", str(_wheel(dist))])
    assert (contents.returncode, contents.stdout.strip()) == (0, f"{_wheel(dist)}: OK")


def test_the_wheel_holds_the_package_its_data_and_its_licence_only(dist: Path) -> None:
    names = zipfile.ZipFile(_wheel(dist)).namelist()
    assert {"pspctl/py.typed", "pspctl/data/psp.csv", "pspctl/data/funding.csv",
            "pspctl/data/totals.csv", "pspctl/data/outcomes.csv",
            "pspctl/data/datapackage.json", "pspctl/data/README.md",
            f"pspctl-{__version__}.dist-info/licenses/LICENSE"} <= set(names)
    assert {name.split("/")[0] for name in names} == {"pspctl",
                                                      f"pspctl-{__version__}.dist-info"}
    assert not [n for n in names if re.search(r"(^|/)(tests?|bench|conftest)", n)]
    sdist = {name.split("/", 1)[1] for name in __import__("tarfile").open(
        next(dist.glob("*.tar.gz"))).getnames() if "/" in name}
    assert {"LICENSE", "CHANGELOG.md", "README.md", "data/datapackage.json"} <= sdist
    assert not [n for n in sdist if n.startswith("bench")]


def test_the_wheel_works_in_a_fresh_venv_from_another_folder(dist: Path, tmp_path: Path
                                                            ) -> None:
    fresh = tmp_path / "venv"
    venv.create(fresh, with_pip=True)
    python = fresh / "bin" / "python"
    done = _run([str(python), "-m", "pip", "install", "-q", str(_wheel(dist))])
    assert done.returncode == 0, done.stderr[-2000:]
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    funding = _run([str(fresh / "bin" / "pspctl"), "funding", "--by-year", "-f", "csv"],
                   elsewhere)
    assert (funding.returncode, funding.stdout.splitlines()[:2]) == (
        0, ["year,government_gbp", "2012-13,90996"])
    version = _run([str(python), "-c", "import pspctl; print(pspctl.__version__)"], elsewhere)
    assert version.stdout == f"{__version__}\n"
    user = elsewhere / "analysis.py"
    user.write_text("import pspctl\n\ndata = pspctl.load()\n"
                    "frame = pspctl.funding_by_year(data)\n"
                    "wrong: int = pspctl.load()\n", encoding="utf-8")
    checked = _run([sys.executable, "-m", "mypy", "--python-executable", str(python),
                    "--no-incremental", str(user)], elsewhere)
    # pspctl's own types reach a user's project: load() is known to return a Dataset
    assert checked.returncode == 1, checked.stdout
    assert 'Incompatible types in assignment (expression has type "Dataset", variable has ' \
        'type "int")' in checked.stdout
    assert "missing library stubs or py.typed marker" not in checked.stdout


def test_the_changelog_names_this_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[([^\]]+)\](?: - ([0-9]{4}-[0-9]{2}-[0-9]{2}))?$", text, re.M)
    assert releases[0] == ("Unreleased", "")
    assert releases[1][0] == __version__
    assert "Keep a Changelog" in text
