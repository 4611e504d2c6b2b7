"""Fuzzing the loader: random bytes and random CSV mutations, for a fixed budget.

Whatever the files hold, the loader either returns data or raises the project's own error
(PspctlError), by the exact reader and by the fast one alike, with the same problems (but for
the fast reader's one leniency, a stray quote read as text) or the same figures; valid results
go through every report without an exception.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas.testing as pdt
import pytest
from conftest import SMALL, plain
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pspctl import loader, reports
from pspctl.errors import DataError, PspctlError

FILES = ["psp.csv", "funding.csv", "totals.csv", "outcomes.csv"]
ORIGINAL = {name: (SMALL / name).read_bytes() for name in FILES}
#: Bytes that matter to a CSV reader, a decoder or the amount and year parsers.
SPECIAL = [b",", b'"', b"\n", b"\r", b"\r\n", b"\x00", b"\xa3", b"\xc2\xa3", b"\xef\xbb\xbf",
           b"\xff\xfe", b"-", b".", b"e", b"9", b"0", b" ", b";", b"\t", b"'", b"\x81", b"\xe2\x80"]
BUDGET = settings(max_examples=300, deadline=2000, derandomize=True,
                  suppress_health_check=[HealthCheck.too_slow])


def exercise(files: dict[str, bytes]) -> None:
    """Load ``files`` both ways (exact reader, and fast reader first), then run every report."""
    with tempfile.TemporaryDirectory() as directory:
        for name, content in files.items():
            (Path(directory) / name).write_bytes(content)
        loaded = []
        for threshold in ("0", str(1 << 40)):
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv("PSPCTL_FAST_READ_BYTES", threshold)
                try:
                    loaded.append(loader.load(directory))
                except PspctlError as error:
                    loaded.append(error)
    fast, exact = loaded
    if not isinstance(exact, loader.Dataset):
        lenient = isinstance(exact, DataError) and any(p.kind == "bad-csv" for p in exact.problems)
        if not lenient:  # the fast reader's one leniency aside, the same problems
            assert type(fast) is type(exact)
            if isinstance(exact, DataError):
                assert isinstance(fast, DataError) and fast.problems == exact.problems
        return
    assert isinstance(fast, loader.Dataset)  # what the exact reader accepts, the fast one does
    for name in ("psp", "funding", "totals", "outcomes"):  # to the same figures
        pdt.assert_frame_equal(plain(getattr(fast, name)), plain(getattr(exact, name)))
    data = exact
    for report in (reports.psp_list, reports.funding_matrix, reports.funding_by_year,
                   reports.funding_by_psp, reports.compare, reports.reconcile):
        report(data)  # type: ignore[operator]
    for psp_id in data.psp["psp_id"]:
        reports.psp_detail(data, psp_id)


@BUDGET
@given(st.sampled_from(FILES), st.binary(max_size=400))
def test_random_bytes_in_place_of_a_file(name: str, content: bytes) -> None:
    exercise({**ORIGINAL, name: content})


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, bytes]:
    files = dict(ORIGINAL)
    for _ in range(draw(st.integers(1, 6))):
        name = draw(st.sampled_from(FILES))
        content = bytearray(files[name])
        at = draw(st.integers(0, len(content)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "duplicate-line"]))
        if action == "insert":
            content[at:at] = draw(st.sampled_from(SPECIAL))
        elif action == "delete":
            del content[at:at + draw(st.integers(1, 8))]
        elif action == "replace":
            content[at:at + 1] = draw(st.sampled_from(SPECIAL))
        else:
            lines = bytes(content).split(b"\n")
            index = draw(st.integers(0, max(len(lines) - 1, 0)))
            lines.insert(index, lines[index] if lines else b"")
            content = bytearray(b"\n".join(lines))
        files[name] = bytes(content)
    return files


@BUDGET
@given(mutated())
def test_random_csv_mutations(files: dict[str, bytes]) -> None:
    exercise(files)
