"""Open-data formats: the Data Package validates with frictionless; the 360Giving export
validates against the 360Giving JSON schemas (read from ../shared/vendor/360giving)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import frictionless
import jsonschema
import referencing
import referencing.jsonschema
from conftest import REPO, SMALL, needs_360giving_schemas, run
from hypothesis import HealthCheck, given, settings
from strategies import Ledger, ledgers

IDS = ["--funding-org-id", "GB-SHS-SC000000", "--id-prefix", "360G-example"]
RECIPIENTS = [arg for n, psp in enumerate(["low-moss", "nhs-lothian", "east-renfrewshire",
                                           "the-life-i-want", "spt-community-transport",
                                           "elevate"])
              for arg in ("--recipient-org-id", f"{psp}=XI-EXAMPLE-{n}")]



def test_datapackage_is_valid_for_frictionless() -> None:
    report = frictionless.validate(str(REPO / "data" / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_datapackage_catches_a_broken_foreign_key(tmp_path: Path) -> None:
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(REPO / "data", copy)
    text = (copy / "funding.csv").read_text().replace("elevate,2016-17", "elevat,2016-17")
    (copy / "funding.csv").write_text(text)
    report = frictionless.validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert "foreign-key" in {error.type for task in report.tasks for error in task.errors}


def schema_validator() -> object:
    vendor = needs_360giving_schemas()
    grant = json.loads((vendor / "360-giving-schema.json").read_text(encoding="utf-8"))
    package = json.loads((vendor / "360-giving-package-schema.json").read_text(encoding="utf-8"))
    reference = package["properties"]["grants"]["items"]["$ref"]
    # The vendored schemas say "http://json-schema.org/draft/2020-12/schema": name the dialect.
    resource = referencing.Resource(contents=grant,
                                    specification=referencing.jsonschema.DRAFT202012)
    registry = referencing.Registry().with_resources([(reference, resource),
                                                      (grant["$id"], resource)])
    return jsonschema.Draft202012Validator(
        package, registry=registry, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def test_360giving_json_validates_against_the_standard(tmp_path: Path) -> None:
    target = tmp_path / "grants.json"
    assert run(["export", "--format", "360giving", *IDS, *RECIPIENTS, "-o", str(target)]) == (
        0, "", "")
    package = json.loads(target.read_text(encoding="utf-8"))
    errors = [e.message for e in schema_validator().iter_errors(package)]  # type: ignore[attr-defined]
    assert errors == []
    grants = package["grants"]
    assert len(grants) == 27  # the Table 3 cells that are not "-"
    assert sum(g["amountAwarded"] for g in grants) == 2_759_068
    first = grants[0]
    assert (first["id"], first["amountAwarded"], first["awardDate"], first["plannedDates"]) == (
        "360G-example-low-moss-2012-13", 51139, "2012-04-01",
        [{"startDate": "2012-04-01", "endDate": "2013-03-31"}],
    )
    assert first["recipientOrganization"] == [
        {"id": "XI-EXAMPLE-0", "name": "HMP Low Moss – Prisoner Support Pathway"}]
    assert first["fundingOrganization"] == [{"id": "GB-SHS-SC000000",
                                             "name": "Scottish Government"}]
    assert first["dataSource"].startswith("https://www.gov.scot/publications/")


def test_360giving_a_broken_grant_fails_the_schema() -> None:
    validator = schema_validator()
    broken = {"grants": [{"id": "x", "title": "t", "description": "d", "currency": "GBP",
                          "amountAwarded": "lots", "awardDate": "2012-13",
                          "recipientOrganization": [{"id": "a", "name": "b"}],
                          "fundingOrganization": [{"id": "c", "name": "d"}]}]}
    assert list(validator.iter_errors(broken))  # type: ignore[attr-defined]


def test_360giving_csv_has_the_standard_titles() -> None:
    code, out, err = run(["export", "-f", "360giving", *IDS, *RECIPIENTS])
    assert (code, err) == (0, "")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0])[:6] == ["Identifier", "Title", "Description", "Currency",
                                 "Amount Awarded", "Award Date"]
    assert {"Recipient Org:Identifier", "Recipient Org:Name", "Funding Org:Identifier",
            "Funding Org:Name", "Planned Dates:Start Date", "Planned Dates:End Date",
            "Data Source"} <= set(rows[0])
    assert [r["Amount Awarded"] for r in rows[:5]] == ["51139", "183000", "200000", "200000",
                                                      "311000"]


def test_360giving_refuses_to_invent_identifiers() -> None:
    assert run(["export", "-f", "360giving", "--data-dir", str(SMALL)]) == (
        2, "",
        "pspctl: error: the report gives no identifiers, so they must be given: "
        "--funding-org-id ID (the funder's org-id); --id-prefix PREFIX (the 360Giving "
        "publisher prefix); a recipient org-id for alpha, beta, gamma (recipient_org_id in "
        "psp.csv, or --recipient-org-id PSP=ID)\n",
    )


def test_recipient_ids_from_psp_csv(tmp_path: Path) -> None:
    from conftest import data_dir_from

    directory = data_dir_from(tmp_path)
    rows = (directory / "psp.csv").read_text().splitlines()
    rows = [rows[0] + ",recipient_org_id"] + [r + f",GB-CHC-{n}" for n, r in enumerate(rows[1:])]
    (directory / "psp.csv").write_text("\n".join(rows) + "\n")
    code, out, err = run(["export", "-f", "360giving", *IDS, "--data-dir", str(directory),
                          "--data-source", "https://example.org/report"])
    assert (code, err) == (0, "")
    rows_out = list(csv.DictReader(io.StringIO(out)))
    assert [(r["Identifier"], r["Recipient Org:Identifier"], r["Amount Awarded"])
            for r in rows_out] == [
        ("360G-example-alpha-2012-13", "GB-CHC-0", "1000"),
        ("360G-example-alpha-2013-14", "GB-CHC-0", "2000.50"),
        ("360G-example-beta-2012-13", "GB-CHC-1", "1500"),
        ("360G-example-beta-2013-14", "GB-CHC-1", "500"),
        ("360G-example-gamma-2013-14", "GB-CHC-2", "250"),
    ]
    assert {r["Data Source"] for r in rows_out} == {"https://example.org/report"}


def test_bad_recipient_option() -> None:
    assert run(["export", "-f", "360giving", *IDS, "--recipient-org-id", "elevate"]) == (
        2, "", "pspctl: error: --recipient-org-id 'elevate': write it as PSP=ID\n")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ledgers())
def test_every_export_of_generated_data_validates(ledger: Ledger) -> None:
    import tempfile

    from pspctl import export, loader

    validator = schema_validator()
    with tempfile.TemporaryDirectory() as directory:
        data = loader.load(ledger.write(Path(directory) / "data"))
    grants = export.grants_360(data, "GB-X-1", "360G-x",
                               {p: f"GB-Y-{p}" for p in ledger.psp_ids}, "https://x.org/r")
    package = json.loads(export.package_json(grants))
    errors = [e.message for e in validator.iter_errors(package)]  # type: ignore[attr-defined]
    assert errors == []
    ids = [g["id"] for g in package["grants"]]
    assert len(ids) == len(set(ids)) == sum(1 for k in ledger.cells if k[0] == "government")


def test_identifiers_of_several_funders_in_a_year() -> None:
    from pspctl.export import grant_identifiers

    keys = [("p0", "2013-14", "Scottish Government"), ("p0", "2013-14", "Scottish Government "
            "(Health)"), ("p0", "2014-15", "Scottish Government"),
            ("p0", "2015-16", "A & B"), ("p0", "2015-16", "a b")]
    assert grant_identifiers("360G-x", keys) == [
        "360G-x-p0-2013-14-scottish-government",
        "360G-x-p0-2013-14-scottish-government-health",
        "360G-x-p0-2014-15",
        "360G-x-p0-2015-16-a-b-da35a535",  # SHA-256 of "p0\x1f2015-16\x1fA & B"
        "360G-x-p0-2015-16-a-b-825d8417",
    ]


def test_the_data_licence_is_stated_where_each_community_looks() -> None:
    """One statement of the data's terms (pspctl.licences) in the Data Package, both READMEs
    and LICENSE; the code's licence in LICENSE and pyproject.toml."""
    from pspctl.licences import ATTRIBUTION, DATA_LICENCE, SOURCE

    package = json.loads((REPO / "data" / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"] == [DATA_LICENCE]
    for readme in (REPO / "README.md", REPO / "data" / "README.md"):
        text = " ".join(readme.read_text(encoding="utf-8").split())
        assert f"[{DATA_LICENCE['title']}]({DATA_LICENCE['path']})" in text, readme
        assert f'"{ATTRIBUTION}" {SOURCE}' in text, readme
    assert (REPO / "LICENSE").read_text(encoding="utf-8").startswith("MIT License\n")
    assert 'license = "MIT"' in (REPO / "pyproject.toml").read_text(encoding="utf-8")


def test_the_360giving_package_says_its_licence_and_publisher(tmp_path: Path) -> None:
    target = tmp_path / "grants.json"
    code = run(["export", "--format", "360giving", *IDS, *RECIPIENTS, "--publisher-name",
                "Scottish Government", "--publisher-id", "GB-SHS-SC000000", "--title",
                "PSP grants", "-o", str(target)], env={"SOURCE_DATE_EPOCH": "1700000000"})
    assert code == (0, "", "")
    package = json.loads(target.read_text(encoding="utf-8"))
    assert list(package)[:5] == ["title", "description", "issued", "license", "publisher"]
    assert (package["title"], package["issued"], package["license"], package["publisher"]) == (
        "PSP grants", "2023-11-14",
        "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        {"name": "Scottish Government", "identifier": "GB-SHS-SC000000"})
    assert package["description"].endswith(
        "Contains public sector information licensed under the Open Government Licence v3.0. "
        "Source: Scottish Government, 'Strategic Public Social Partnership model: report' "
        "(Crown copyright), section 3.1 and Table 3.")
    errors = [e.message for e in schema_validator().iter_errors(package)]  # type: ignore[attr-defined]
    assert errors == []


def test_package_options_are_for_a_json_package_only(tmp_path: Path) -> None:
    assert run(["export", "--format", "360giving", *IDS, *RECIPIENTS, "--title", "x"]) == (
        2, "", "pspctl: error: --title: only for a JSON package (-o FILE.json)\n")
    assert run(["export", "--format", "360giving", *IDS, *RECIPIENTS, "--issued", "2024-13-01",
                "-o", str(tmp_path / "g.json")])[2] == (
        "pspctl: error: --issued '2024-13-01': write a day as YYYY-MM-DD\n")
    assert run(["export", "--format", "360giving", *IDS, *RECIPIENTS, "--publisher-id", "X",
                "-o", str(tmp_path / "g.json")])[2] == (
        "pspctl: error: a publisher needs its name: give --publisher-name NAME with "
        "--publisher-id\n")
    assert not (tmp_path / "g.json").exists()


def test_the_package_goes_through_the_official_flatten_pipeline(tmp_path: Path) -> None:
    """360Giving's flatten-tool (the standard's own pipeline, as its data quality tool runs
    it) flattens the exported package to the standard's CSV sheets by the vendored grant
    schema, and unflattens them to the same grants."""
    vendor = needs_360giving_schemas()
    grant_schema = str(vendor / "360-giving-schema.json")
    from flattentool import flatten, unflatten

    package = tmp_path / "grants.json"
    assert run(["export", "--format", "360giving", *IDS, *RECIPIENTS, "--publisher-name",
                "Scottish Government", "-o", str(package)])[0] == 0
    flat, back = tmp_path / "flat", tmp_path / "back.json"
    flatten(str(package), output_name=str(flat), output_format="csv", schema=grant_schema,
            root_list_path="grants", main_sheet_name="grants")
    with open(flat / "grants.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert (len(rows), rows[0]["id"], rows[0]["amountAwarded"]) == (
        27, "360G-example-low-moss-2012-13", "51139")
    unflatten(str(flat), output_name=str(back), input_format="csv", schema=grant_schema,
              root_list_path="grants")
    assert json.loads(back.read_text(encoding="utf-8"))["grants"] == \
        json.loads(package.read_text(encoding="utf-8"))["grants"]
