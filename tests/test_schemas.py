"""The interface scripts rely on: every command's ``--schema`` describes exactly what its csv
and json hold (checked with frictionless), and the columns are fixed by the command and its
options, never by the data, the source or the problems found."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import REPO, SMALL, TESTS, data_dir_from, run

frictionless = pytest.importorskip("frictionless")

#: Every command and option set the README shows, as a script would run it.
COMMANDS = [
    ["validate"], ["validate", "--data-dir", "{blank-row}"],
    ["list"], ["list", "--lead-sector", "third", "--active-in", "2016-17"],
    ["show", "lothian"], ["funding"], ["funding", "--totals"],
    ["funding", "--by-year", "--cumulative", "--share"],
    ["funding", "--by-year", "--share", "--totals"], ["funding", "--by-psp", "--share"],
    ["funding", "--psp", "elevate", "--psp", "lothian", "--from", "2015-16", "--to", "2017-18"],
    ["compare"], ["compare", "--totals"], ["reconcile"], ["reconcile", "--candidates"],
    ["review"], ["review", "--change", "50%"], ["diff", str(REPO / "data"), "{corrected}"],
]


def _args(command: list[str], tmp_path: Path) -> list[str]:
    if "{corrected}" in command:
        corrected = data_dir_from(tmp_path, TESTS / "editions" / "corrected", base=REPO / "data")
        return [a.replace("{corrected}", str(corrected)) for a in command]
    if "{blank-row}" in command:
        edited = data_dir_from(tmp_path, TESTS / "bad" / "blank-row")
        return [a.replace("{blank-row}", str(edited)) for a in command]
    return command


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_csv_and_json_are_what_the_schema_says(command: list[str], tmp_path: Path) -> None:
    args = _args(command, tmp_path)
    code, text, err = run([*args, "--schema"])
    assert (code, err) == (0, "")
    schema = json.loads(text)
    names = [f["name"] for f in schema["fields"]]
    for fmt in ("csv", "json"):
        target = tmp_path / f"out.{fmt}"
        code, _, err = run([*args, "-o", str(target)])
        assert code in (0, 1) and err == ""
        if fmt == "json":  # the nested candidates aside (the schema says json adds them)
            rows = json.loads(target.read_text(encoding="utf-8"))
            for row in rows:
                row.pop("candidates", None)
            assert all(list(row) == names for row in rows)
            target.write_text(json.dumps(rows), encoding="utf-8")
            if not rows:
                continue
        else:
            header = target.read_text(encoding="utf-8").splitlines()[0]
            assert header == ",".join(names)
        resource = frictionless.Resource(path=target.name, basepath=str(tmp_path),
                                         schema=frictionless.Schema.from_descriptor(schema))
        report = resource.validate()
        assert report.valid, (fmt, report.flatten(["type", "message"])[:3])


def _workbook(folder: Path, target: Path) -> Path:
    pytest.importorskip("xlsxwriter")
    assert run(["export", "--format", "workbook", "-o", str(target), "--data-dir",
                str(folder)])[0] == 0
    return target


def test_validate_has_one_header_whatever_the_source(tmp_path: Path) -> None:
    """A folder or a workbook, valid or not: the same columns (place always there)."""
    good = _workbook(SMALL, tmp_path / "good.xlsx")
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.load_workbook(good)
    book["funding"]["F2"] = "1.2.3"
    book.save(tmp_path / "bad.xlsx")
    headers = set()
    for source in (SMALL, data_dir_from(tmp_path, TESTS / "bad" / "blank-row"), good,
                   tmp_path / "bad.xlsx"):
        code, out, _ = run(["validate", "--data-dir", str(source), "-f", "csv"])
        assert code in (0, 1)
        headers.add(out.splitlines()[0])
    assert headers == {"file,place,line,column,kind,message"}


@pytest.mark.parametrize("command", [["list", "--lead-sector", "third", "--active-in",
                                      "2012-13"], ["validate", "--data-dir", "{empty}"],
                                     ["diff", "{data}", "{data}"]])
def test_an_empty_result_is_the_header_alone_or_an_empty_list(command: list[str],
                                                              tmp_path: Path) -> None:
    args = [a.format(data=REPO / "data", empty=SMALL) for a in command]
    header = json.loads(run([*args, "--schema"])[1])["fields"]
    code, out, err = run([*args, "-f", "csv"])
    assert code == 0
    assert (out, err) == (",".join(f["name"] for f in header) + "\n", "")
    assert run([*args, "-f", "json"])[1:] == ("[]\n", "")
