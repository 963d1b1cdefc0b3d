"""Open-data export: the documented JSON shape and CSV tables with a Frictionless descriptor."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from rihub.hub import Hub


def test_json_shape(demo_hub: Hub) -> None:
    doc = demo_hub.export_json()
    assert {"source_documents", "meetings", "initiatives"} <= doc.keys()
    eur = next(m for m in doc["meetings"] if m["region"] == "EUR")
    assert (eur["city"], eur["country"], eur["start_date"], eur["end_date"]) == (
        "Budapest",
        "Hungary",
        "2025-02-25",
        "2025-02-26",
    )
    assert eur["officers"][0] == {"role": "chair", "honorific": "Dr", "name": "Péter Vári", "country": "Hungary"}
    assert eur["documents_reviewed"][0] == {
        "number": 2,
        "description": "the implementation of the WTDC-22 Kigali Action Plan",
    }
    codes = [i["code"] for i in doc["initiatives"]]
    assert len(codes) == 31 and codes[:7] == ["ARB1", "ARB2", "ARB3", "ARB4", "ARB5", "ARB6", "EUR1"]
    ams4 = next(i for i in doc["initiatives"] if i["code"] == "AMS4")
    assert ams4["stage"] == "consolidated" and ams4["kind"] == "initiative"
    assert ams4["expected_results"][0]["sub_items"][1]["label"] == "b"
    eur1 = next(i for i in doc["initiatives"] if i["code"] == "EUR1")
    assert {"framework": "WSIS", "code": "C2", "provenance": "document", "status": "accepted"}.items() <= (
        eur1["alignments"][1].items()
    )
    json.dumps(doc)  # serialisable as is


def test_cli_json_matches_library(demo_hub: Hub, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from rihub.cli import app

    out = tmp_path / "export.json"
    result = CliRunner().invoke(app, ["--db", demo_hub.url, "export", "--format", "json", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["initiatives"] == demo_hub.export_json()["initiatives"]


def test_csv_tables_and_datapackage(demo_hub: Hub, tmp_path: Path) -> None:
    written = demo_hub.export_csv(tmp_path / "csv")
    package = json.loads((tmp_path / "csv" / "datapackage.json").read_text())
    assert package["profile"] == "tabular-data-package"
    names = {r["name"] for r in package["resources"]}
    assert {
        "meetings",
        "officers",
        "documents_reviewed",
        "initiatives",
        "expected_results",
        "sub_items",
        "footnotes",
        "achieved_results",
        "alignments",
        "source_documents",
        "lineage",
    } == names
    assert len(written) == len(names) + 1
    sizes = {}
    for resource in package["resources"]:
        assert resource["encoding"] == "utf-8-sig"  # a byte-order mark, so Excel reads UTF-8
        assert (tmp_path / "csv" / resource["path"]).read_bytes().startswith(b"\xef\xbb\xbf")
        with (tmp_path / "csv" / resource["path"]).open(encoding="utf-8-sig") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == [f["name"] for f in resource["schema"]["fields"]]
            assert not {"source_id", "span_start", "span_end"} & set(reader.fieldnames)
            sizes[resource["name"]] = sum(1 for _ in reader)
    assert sizes["meetings"] == 6 and sizes["officers"] == 25 and sizes["documents_reviewed"] == 42
    assert sizes["initiatives"] == 31 and sizes["expected_results"] == 167 and sizes["sub_items"] == 2
    assert sizes["alignments"] == 39 and sizes["footnotes"] == 1
