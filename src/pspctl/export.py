"""Exports in open-data standards: the government funding as 360Giving grants.

One grant per PSP per financial year (a Table 3 cell). Identifiers the report does not give are
never invented: the funder's org-id and the 360Giving publisher prefix are arguments, and each
recipient's org-id comes from the optional ``recipient_org_id`` column of psp.csv or an argument.
The report gives no award dates: the award date is the first day of the financial year, and the
description says so.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from . import money
from ._clock import made
from ._paths import bundled_data_dir, opened_inputs
from .errors import UsageError, shortened
from .licences import ATTRIBUTION, DATA_LICENCE, SOURCE
from .loader import Dataset
from .reports import GOVERNMENT, REPORT_TITLE

#: The 360Giving column titles, in the order they are written.
COLUMNS_360 = [
    "Identifier", "Title", "Description", "Currency", "Amount Awarded", "Award Date",
    "Planned Dates:Start Date", "Planned Dates:End Date", "Recipient Org:Identifier",
    "Recipient Org:Name", "Funding Org:Identifier", "Funding Org:Name", "Data Source",
]


def data_source(data: Dataset) -> str | None:
    """The web address of the source, from the data's datapackage.json (or the bundled one)."""
    for directory in (data.data_dir, bundled_data_dir()):
        descriptor = Path(directory) / "datapackage.json"
        if descriptor.is_file():
            opened_inputs.add(descriptor)
            try:
                sources = json.loads(descriptor.read_text(encoding="utf-8")).get("sources", [])
            except (OSError, ValueError):
                continue
            for source in sources:
                if str(source.get("path", "")).startswith(("http://", "https://")):
                    return str(source["path"])
    return None


class MissingIdentifiers(UsageError):
    """What the report does not give and an export needs: which identifiers, and whether the
    source's web address. The message names the function's parameters; the command line says
    the same with its options (:meth:`words`)."""

    def __init__(self, funding_org_id: bool = False, id_prefix: bool = False,
                 recipients: tuple[str, ...] = (), source: bool = False) -> None:
        self.funding_org_id, self.id_prefix = funding_org_id, id_prefix
        self.recipients, self.source = recipients, source
        super().__init__(self.words({"funding_org_id": "funding_org_id",
                                     "id_prefix": "id_prefix",
                                     "recipient_org_ids": "recipient_org_ids",
                                     "source": "source"}))

    def words(self, names: Mapping[str, str]) -> str:
        """The message, each parameter called as ``names`` says."""
        if self.source:
            return f"no web address for the source: give {names['source']}"
        missing = []
        if self.funding_org_id:
            missing.append(f"{names['funding_org_id']} (the funder's org-id)")
        if self.id_prefix:
            missing.append(f"{names['id_prefix']} (the 360Giving publisher prefix)")
        if self.recipients:
            missing.append("a recipient org-id for " + shortened(list(self.recipients))
                           + f" (recipient_org_id in psp.csv, or {names['recipient_org_ids']})")
        return "the report gives no identifiers, so they must be given: " + "; ".join(missing)


def grants_360(
    data: Dataset,
    funding_org_id: str | None,
    id_prefix: str | None,
    recipient_org_ids: Mapping[str, str] | None = None,
    source: str | None = None,
) -> pd.DataFrame:
    """The government cells as 360Giving grants, one row per grant, with the standard's titles.

    Raises :class:`UsageError` naming every identifier that is missing.
    """
    recipients = _recipient_ids(data, recipient_org_ids or {})
    order = {str(p): n for n, p in enumerate(data.psp["psp_id"].tolist())}
    cells = data.funding[data.funding["stream"] == GOVERNMENT].sort_values(
        ["psp_id", "year"],
        key=lambda c: c.astype(str).map(order) if c.name == "psp_id" else c.astype(str))
    funded = list(dict.fromkeys(str(p) for p in cells["psp_id"].tolist()))
    lacking = [p for p in funded if p not in recipients]
    if not funding_org_id or not id_prefix or lacking:
        raise MissingIdentifiers(not funding_org_id, not id_prefix, tuple(lacking))
    source = source or data_source(data)
    if not source:
        raise MissingIdentifiers(source=True)
    names = dict(zip(data.psp["psp_id"].astype(str), data.psp["name"].astype(str)))
    keys = list(zip(cells["psp_id"].astype(str), cells["year"].astype(str),
                    cells["funder"].astype(str)))
    rows = [
        _grant(identifier, names[psp_id], year, funder, int(pence),
               recipients[psp_id], funding_org_id, source)
        for (psp_id, year, funder), identifier, pence in zip(
            keys, grant_identifiers(str(id_prefix), keys), cells["amount_pence"].tolist())
    ]
    return pd.DataFrame(rows, columns=COLUMNS_360, dtype=object)


def _recipient_ids(data: Dataset, given: Mapping[str, str]) -> dict[str, str]:
    """Each PSP's org-id: from psp.csv's ``recipient_org_id``, unless ``given``."""
    unknown = sorted(set(given) - set(data.psp["psp_id"].astype(str)))
    if unknown:
        raise UsageError(f"recipient_org_ids for unknown PSP: {', '.join(unknown)}")
    from_file = {
        str(p): str(o)
        for p, o in zip(data.psp["psp_id"].tolist(), data.psp["recipient_org_id"].tolist())
        if not pd.isna(o) and str(o).strip()
    }
    return {**from_file, **dict(given)}


def _grant(identifier: str, name: str, year: str, funder: str, pence: int,
           recipient: str, funding_org_id: str, source: str) -> dict[str, object]:
    """One grant: one government cell, with the standard's column titles."""
    first = int(year[:4])
    return {
        "Identifier": identifier,
        "Title": f"{name}: Scottish Government funds {year}",
        "Description": (
            f"{funder} funds for the Strategic Public Social Partnership {name} in "
            f"the financial year {year}, as printed in Table 3 of '{REPORT_TITLE}'. The "
            "report gives no award date: the award date given is the first day of the "
            "financial year."
        ),
        "Currency": "GBP",
        "Amount Awarded": money.gbp(pence),
        "Award Date": f"{first}-04-01",
        "Planned Dates:Start Date": f"{first}-04-01",
        "Planned Dates:End Date": f"{first + 1}-03-31",
        "Recipient Org:Identifier": recipient,
        "Recipient Org:Name": name,
        "Funding Org:Identifier": funding_org_id,
        "Funding Org:Name": funder,
        "Data Source": source,
    }


def _slug(text: str) -> str:
    return "-".join(re.findall(r"[0-9a-z]+", text.lower())) or "funder"


def grant_identifiers(prefix: str, keys: Sequence[tuple[str, str, str]]) -> list[str]:
    """One unique identifier per grant key (psp_id, year, funder), in order.

    ``PREFIX-PSP-YEAR`` when the PSP has one government funder that year, else
    ``PREFIX-PSP-YEAR-FUNDER`` (the funder's name in lower-case letters and digits joined by
    ``-``); where two grants would still share one (two funders of the same slug, or ids that
    run into each other), each of them gets ``-`` and the first 8 hex digits of the SHA-256 of
    its key added.
    """
    funders: dict[tuple[str, str], int] = {}
    for psp_id, year, _ in keys:
        funders[(psp_id, year)] = funders.get((psp_id, year), 0) + 1
    identifiers = [
        f"{prefix}-{psp_id}-{year}" + (f"-{_slug(funder)}" if funders[(psp_id, year)] > 1 else "")
        for psp_id, year, funder in keys
    ]
    repeated = {i for i, count in Counter(identifiers).items() if count > 1}
    identifiers = [
        i + "-" + hashlib.sha256("\x1f".join(key).encode("utf-8")).hexdigest()[:8]
        if i in repeated else i
        for i, key in zip(identifiers, keys)
    ]
    if len(set(identifiers)) < len(identifiers):  # a SHA-256 collision of 32 bits: refuse
        raise UsageError("cannot make a unique identifier for every grant: give another "
                         "id prefix")
    return identifiers


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@dataclass(frozen=True)
class PackageInfo:
    """What a 360Giving data package says of itself besides its grants: ``title`` and
    ``description`` (the data's own when not given), its ``publisher`` (its name, and its
    organisation identifier, such as the funder's), the date it was ``issued`` (YYYY-MM-DD;
    ``SOURCE_DATE_EPOCH``'s day, else today) and the data's licence, always."""

    title: str | None = None
    description: str | None = None
    publisher_name: str | None = None
    publisher_id: str | None = None
    issued: str | None = None

    def metadata(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "title": self.title or PACKAGE_TITLE,
            "description": self.description or PACKAGE_DESCRIPTION,
            "issued": self.issued or _today(),
            "license": DATA_LICENCE["path"],
        }
        if self.publisher_name or self.publisher_id:
            if not self.publisher_name:
                raise UsageError("a publisher needs its name: give --publisher-name NAME "
                                 "with --publisher-id")
            found["publisher"] = {"name": self.publisher_name,
                                  **({"identifier": self.publisher_id}
                                     if self.publisher_id else {})}
        return found


PACKAGE_TITLE = ("Scottish Government funding of the six Strategic Public Social Partnerships "
                 "(Table 3)")
PACKAGE_DESCRIPTION = (
    "The Scottish Government's funds to each Strategic Public Social Partnership per financial "
    "year, one grant per PSP per year, transcribed exactly as printed in Table 3 of "
    "'Strategic Public Social Partnership model: report'. " + ATTRIBUTION + " " + SOURCE)


def _today() -> str:
    return made().strftime("%Y-%m-%d")


def package_360(grants: pd.DataFrame, info: PackageInfo | None = None) -> dict[str, Any]:
    """The grants as a 360Giving JSON data package: its metadata (:class:`PackageInfo`, the
    data's licence always) and ``grants``."""
    return {
        **(info or PackageInfo()).metadata(),
        "grants": [
            {
                "id": row["Identifier"],
                "title": row["Title"],
                "description": row["Description"],
                "currency": row["Currency"],
                "amountAwarded": _number(row["Amount Awarded"]),
                "awardDate": row["Award Date"],
                "plannedDates": [{"startDate": row["Planned Dates:Start Date"],
                                  "endDate": row["Planned Dates:End Date"]}],
                "recipientOrganization": [{"id": row["Recipient Org:Identifier"],
                                           "name": row["Recipient Org:Name"]}],
                "fundingOrganization": [{"id": row["Funding Org:Identifier"],
                                         "name": row["Funding Org:Name"]}],
                "dataSource": row["Data Source"],
            }
            for row in grants.to_dict("records")
        ]
    }


def package_json(grants: pd.DataFrame, info: PackageInfo | None = None) -> str:
    return json.dumps(package_360(grants, info), ensure_ascii=False, indent=2) + "\n"
