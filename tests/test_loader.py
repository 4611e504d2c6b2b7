"""The loader: the real data against the report, the small fixture, encodings, the bad corpus."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pandas.testing as pdt
import pytest
from conftest import BAD, SMALL, data_dir_from
from hypothesis import given, settings
from hypothesis import strategies as st

from pspctl import loader
from pspctl.errors import DataError, InputError

# Table 3 of the report, typed in by hand from ../shared/source/strategic-psp-report.txt
# (not copied from data/funding.csv): PSP -> the six cells 2012-13 .. 2017-18, None for "-".
YEARS = ["2012-13", "2013-14", "2014-15", "2015-16", "2016-17", "2017-18"]
TABLE_3 = {
    "low-moss": [51_139, 183_000, 200_000, 200_000, 311_000, None],
    "nhs-lothian": [None, 64_792, 65_272, 65_272, 230_000, 150_000],
    "east-renfrewshire": [21_857, 27_095, 43_712, 43_712, None, None],
    "the-life-i-want": [18_000, 157_856, 112_793, 112_793, 50_000, 50_000],
    "spt-community-transport": [None, 29_329, 78_223, 78_223, 130_000, 85_000],
    "elevate": [None, None, None, None, 100_000, 100_000],
}
PRINTED_YEAR_TOTALS = [90_996, 462_372, 500_000, 500_000, 821_000, 385_000]


@pytest.fixture(scope="module")
def real() -> loader.Dataset:
    return loader.load()


def test_real_government_cells_are_table_3_as_printed(real: loader.Dataset) -> None:
    government = real.funding[real.funding["stream"] == "government"]
    got = {
        (row.psp_id, row.year): row.amount_pence for row in government.itertuples(index=False)
    }
    expected = {
        (psp, year): pounds * 100
        for psp, cells in TABLE_3.items()
        for year, pounds in zip(YEARS, cells)
        if pounds is not None
    }
    assert got == expected
    assert set(government["source"]) == {"Table 3"}
    assert set(government["funder"]) == {"Scottish Government"}


def test_real_additional_funds_are_the_paragraph_before_table_3(real: loader.Dataset) -> None:
    additional = real.funding[real.funding["stream"] == "additional"]
    got = {row.psp_id: (row.amount_pence, row.funder) for row in additional.itertuples()}
    assert got == {
        "low-moss": (28_051_100, "National Lottery; Robertson Trust; local council"),
        "spt-community-transport": (10_145_900, "Strathclyde Partnership for Transport"),
        "east-renfrewshire": (13_500_000, "local authority"),
        "elevate": (16_500_000, "NHS Greater Glasgow and Clyde"),
    }
    assert additional["year"].isna().all()  # the report gives no year: not stated
    assert set(additional["source"]) == {"§3.1, paragraph before Table 3"}


def test_real_published_totals(real: loader.Dataset) -> None:
    totals = real.totals.set_index("total_id")["amount_pence"]
    assert [totals[f"year-{y}"] for y in YEARS] == [t * 100 for t in PRINTED_YEAR_TOTALS]
    assert totals["grand-total"] == 2_759_368_00
    assert totals["headline"] == 2_759_368_00


def test_real_psp_attributes(real: loader.Dataset) -> None:
    psp = real.psp.set_index("psp_id")
    assert list(psp.index) == list(TABLE_3)
    assert psp["established"].to_dict() == {
        "low-moss": 2012, "nhs-lothian": 2013, "east-renfrewshire": 2012,
        "the-life-i-want": 2012, "spt-community-transport": 2013, "elevate": 2016,
    }
    assert psp.loc["elevate", "lead"] == "Glasgow Council on Alcohol"
    assert psp.loc["elevate", "lead_sector"] == "third"
    assert pd.isna(psp.loc["low-moss", "lead"])  # not stated in the report
    assert psp.loc["east-renfrewshire", "table_note"] == "final year of funding 2015-16"


def test_real_outcomes(real: loader.Dataset) -> None:
    numbers = {
        (row.psp_id, int(row.value)) for row in real.outcomes.dropna(subset=["value"]).itertuples()
    }
    assert numbers == {("low-moss", 600), ("elevate", 35), ("elevate", 17), ("the-life-i-want", 50)}


def test_small_fixture_typed_exactly() -> None:
    data = loader.load(SMALL)
    expected = pd.DataFrame(
        {
            "psp_id": ["alpha", "alpha", "beta", "beta", "gamma", "alpha", "gamma"],
            "year": ["2012-13", "2013-14", "2012-13", "2013-14", "2013-14", None, None],
            "stream": ["government"] * 5 + ["additional"] * 2,
            "funder": ["Scottish Government"] * 5 + ["Alpha Council", "Lottery; Trust"],
            "funder_sector": ["government"] * 5 + ["local authority", "lottery; charitable trust"],
            "amount_pence": [100000, 200050, 150000, 50000, 25000, 30000, 100000],
            "source": ["fixture"] * 7,
            "line": [2, 3, 4, 5, 6, 7, 8],
        }
    ).astype({c: "string" for c in ("psp_id", "year", "stream", "funder", "funder_sector",
                                       "source")})
    pdt.assert_frame_equal(data.funding, expected)
    assert data.outcomes["value"].dtype == "Int64"
    assert data.outcomes["value"].isna().tolist() == [False, True]


@pytest.mark.parametrize(
    ("encoding", "newline", "bom"),
    [("utf-8", "\n", False), ("utf-8", "\r\n", False), ("utf-8", "\n", True),
     ("cp1252", "\r\n", False)],
)
def test_encodings_and_line_ends_load_the_same(
    tmp_path: Path, encoding: str, newline: str, bom: bool
) -> None:
    directory = data_dir_from(tmp_path)
    text = (SMALL / "funding.csv").read_text(encoding="utf-8")
    raw = text.replace("\n", newline).encode(encoding)
    (directory / "funding.csv").write_bytes((b"\xef\xbb\xbf" if bom else b"") + raw)
    if encoding == "cp1252":
        assert b"\xa3" in raw  # the £ of "£1,500" as a spreadsheet on Windows saves it
    pdt.assert_frame_equal(loader.load(directory).funding, loader.load(SMALL).funding)


def test_quoted_newline_keeps_line_numbers(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path)
    lines = (SMALL / "funding.csv").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace(
        "Scottish Government,government", '"Scottish\nGovernment",government'
    )
    lines[2] = lines[2].replace("2000.50", "2000.5.0")
    (directory / "funding.csv").write_text("".join(lines))
    problems = loader.validate(directory)
    assert [(p.line, p.column, p.kind) for p in problems] == [(4, "amount_gbp", "bad-amount")]


CASES = sorted(p.name for p in BAD.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", CASES)
def test_bad_corpus_reports_exactly_the_expected_problems(tmp_path: Path, case: str) -> None:
    directory = data_dir_from(tmp_path, BAD / case)
    expected = (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    assert [str(p) for p in loader.validate(directory)] == expected
    with pytest.raises(DataError) as raised:
        loader.load(directory)
    assert str(raised.value).startswith(expected[0])


def test_bad_corpus_covers_every_problem_kind() -> None:
    kinds = {
        line.rsplit("[", 1)[1].rstrip("]")
        for case in CASES
        for line in (BAD / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    }
    assert kinds >= {
        "missing-column", "unknown-column", "duplicate-column", "bad-amount", "negative-amount",
        "bad-year", "unknown-psp", "duplicate-key", "blank-cell", "empty-file", "encoding-error",
        "extra-cell", "missing-cell", "blank-row", "bad-value", "bad-integer", "bad-scope",
    }


def test_problem_fields_for_one_case(tmp_path: Path) -> None:
    [problem] = loader.validate(data_dir_from(tmp_path, BAD / "bad-amount"))
    assert (problem.file, problem.line, problem.column, problem.kind) == (
        "funding.csv", 3, "amount_gbp", "bad-amount",
    )


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    directory = data_dir_from(tmp_path, BAD / "bad-amount", BAD / "unknown-psp-totals",
                              BAD / "bad-integer")
    assert [(p.file, p.kind) for p in loader.validate(directory)] == [
        ("funding.csv", "bad-amount"),
        ("totals.csv", "unknown-psp"),
        ("outcomes.csv", "bad-integer"),
    ]


def test_missing_file_is_an_input_error(small: Path) -> None:
    (small / "totals.csv").unlink()
    with pytest.raises(InputError, match=r"totals\.csv: file not found$"):
        loader.validate(small)


def test_directory_in_place_of_a_file_is_an_input_error(small: Path) -> None:
    (small / "outcomes.csv").unlink()
    (small / "outcomes.csv").mkdir()
    with pytest.raises(InputError, match=r"outcomes\.csv: is a directory, not a CSV file$"):
        loader.load(small)


def test_missing_data_directory(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="data directory not found"):
        loader.load(tmp_path / "nowhere")


@pytest.mark.parametrize(
    ("text", "pence"),
    [("1234", 123400), ("1234.5", 123450), ("1,234.00", 123400), ("£1,234", 123400),
     ("£1,234,567.89", 123456789), ("0", 0), ("999999999999.99", 99999999999999)],
)
def test_accepted_amounts_are_exact_pence(small: Path, text: str, pence: int) -> None:
    lines = (small / "funding.csv").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace(",1000,", f',"{text}",')
    (small / "funding.csv").write_text("".join(lines))
    assert loader.load(small).funding.loc[0, "amount_pence"] == pence


@pytest.mark.parametrize(
    "text", ["1.2.3", "£-5", "-5", "1e6", "NaN", "inf", "(1,000)", "12,34", "1.234", "£", ".5",
             "1 000", "GBP 5", "1,2345", "\u0661\u0662", "\uff11,\uff12\uff13\uff14",
             "\u00b2"],
)
def test_rejected_amounts(small: Path, text: str) -> None:
    lines = (small / "funding.csv").read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace(",1000,", f',"{text}",')
    (small / "funding.csv").write_text("".join(lines))
    [problem] = loader.validate(small)
    assert (problem.line, problem.column) == (2, "amount_gbp")
    assert problem.kind in {"bad-amount", "negative-amount"}


@pytest.mark.parametrize("cell", ["\u0661\u0662", "\uff11\uff12", "\u0e51"])
def test_whole_numbers_are_ascii_digits(small: Path, cell: str) -> None:
    lines = (small / "outcomes.csv").read_text().splitlines(keepends=True)
    header = lines[0].rstrip("\n").split(",")
    cells = lines[1].rstrip("\n").split(",")
    cells[header.index("value")] = cell
    lines[1] = ",".join(cells) + "\n"
    (small / "outcomes.csv").write_text("".join(lines))
    [problem] = loader.validate(small)
    assert (problem.line, problem.column, problem.kind) == (2, "value", "bad-integer")


def test_parse_pence_takes_ascii_digits_only() -> None:
    from pspctl.money import parse_pence

    assert parse_pence("£1,234.50") == 123450
    for text in ("\u0661\u0662", "\uff11\uff12.50", "1\u0662"):
        with pytest.raises(ValueError, match="bad amount"):
            parse_pence(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["a", ",", '"', "\r", "\n", "\r\n", "£", " "]), max_size=40)
       .map("".join))
def test_lines_split_as_stringio_splits_them(text: str) -> None:
    """The exact reader's lines: the ones of ``io.StringIO(text, newline="")``, without its copy
    of the whole text at four bytes a character."""
    from pspctl.loader import _lines

    assert list(_lines(text)) == list(io.StringIO(text, newline=""))
