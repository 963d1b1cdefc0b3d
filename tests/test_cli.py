"""The CLI as a person uses it: real processes, one-line errors, non-zero exits, no tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

RIHUB = [sys.executable, "-m", "rihub.cli"]


def run(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "RIHUB_DATABASE_URL": f"sqlite:///{db}", "COLUMNS": "200"}
    return subprocess.run([*RIHUB, *args], capture_output=True, text=True, env=env, timeout=120, check=False)


def test_ingest_show_stats(tmp_path: Path, report_path: Path) -> None:
    db = tmp_path / "cli.db"
    result = run("ingest", str(report_path), db=db)
    assert result.returncode == 0, result.stderr
    assert "ingested" in result.stdout and "167" in result.stdout
    stats = json.loads(run("stats", "--json", db=db).stdout)
    assert (stats["initiatives"], stats["expected_results"], stats["officers"]) == (25, 167, 25)
    shown = run("show", "AMS4", db=db)
    assert "a) The development of national cybersecurity strategies" in shown.stdout
    listing = json.loads(run("show", "--region", "CIS", "--json", db=db).stdout)
    assert [i["code"] for i in listing] == ["CIS1", "CIS2", "CIS3", "CIS4", "CIS5"]
    again = run("ingest", str(report_path), db=db)
    assert "unchanged" in again.stdout


def _bad_inputs(tmp_path: Path) -> dict[str, Path]:
    files = {
        "empty": tmp_path / "empty.txt",
        "junk": tmp_path / "junk.bin",
        "notzip": tmp_path / "report.docx",
        "textless": tmp_path / "scan.pdf",
        "unrelated": tmp_path / "letter.txt",
        "missing": tmp_path / "does-not-exist.txt",
    }
    files["empty"].write_bytes(b"")
    files["junk"].write_bytes(bytes(range(256)) * 8)
    files["notzip"].write_bytes(b"this is plain text pretending to be Word")
    files["textless"].write_bytes(b"%PDF-1.4\n%%EOF\n")
    files["unrelated"].write_text("Dear colleague,\nthank you for your letter of 3 May.\n" * 5)
    return files


@pytest.mark.parametrize("kind", ["empty", "junk", "notzip", "textless", "unrelated", "missing"])
def test_bad_input_is_one_line_and_changes_nothing(tmp_path: Path, report_path: Path, kind: str) -> None:
    db = tmp_path / "cli.db"
    assert run("ingest", str(report_path), db=db).returncode == 0
    before = run("export", db=db).stdout
    bad = _bad_inputs(tmp_path)[kind]
    result = run("ingest", str(bad), db=db)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and bad.name in lines[0]
    assert "Traceback" not in result.stderr
    assert run("export", db=db).stdout == before


def test_lint_command(report_path: Path, tmp_path: Path) -> None:
    result = run("lint", str(report_path), "--json", db=tmp_path / "x.db")
    assert result.returncode == 0
    found = json.loads(result.stdout)[str(report_path)]
    assert {"wrong-region", "doubled-honorific", "glued-footnote-digit", "missing-space", "misspelling"} <= {
        f["code"] for f in found
    }
    strict = run("lint", str(report_path), "--strict", db=tmp_path / "x.db")
    assert strict.returncode == 1  # the report has errors (wrong region, doubled honorific)


def test_export_csv_needs_a_folder(tmp_path: Path) -> None:
    result = run("export", "--format", "csv", db=tmp_path / "x.db")
    assert result.returncode == 1 and "--output" in result.stderr


def test_export_csv_is_for_excel_unless_full(tmp_path: Path, report_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("ingest", str(report_path), db=db).returncode == 0
    assert run("export", "--format", "csv", "--output", str(tmp_path / "people"), db=db).returncode == 0
    full = run("export", "--format", "csv", "--full", "--no-bom", "--output", str(tmp_path / "full"), db=db)
    assert full.returncode == 0, full.stderr
    people_csv, full_csv = (tmp_path / "people" / "initiatives.csv"), (tmp_path / "full" / "initiatives.csv")
    assert people_csv.read_bytes().startswith(b"\xef\xbb\xbf") and not full_csv.read_bytes().startswith(b"\xef")
    people_head = people_csv.read_text(encoding="utf-8-sig").splitlines()[0].split(",")
    full_head = full_csv.read_text(encoding="utf-8").splitlines()[0].split(",")
    assert set(full_head) - set(people_head) == {"source_id", "span_start", "span_end"}
    wrong = run("export", "--full", db=db)
    assert wrong.returncode == 1 and "--format csv" in wrong.stderr and "Traceback" not in wrong.stderr


def test_json_output_is_strict_json(capsys: pytest.CaptureFixture[str]) -> None:
    """A figure that cannot be computed (NaN, e.g. a hold-out without GDC mappings) prints as null."""
    from rihub.cli import emit_json

    emit_json({"gdc_top1": float("nan"), "per_item": [{"ap": float("inf")}, {"ap": 0.5}]})

    def refuse(token: str) -> None:
        raise ValueError(token)

    assert json.loads(capsys.readouterr().out, parse_constant=refuse) == {
        "gdc_top1": None,
        "per_item": [{"ap": None}, {"ap": 0.5}],
    }


def test_user_commands_take_passwords_from_stdin_and_print_a_token_once(tmp_path: Path) -> None:
    db = tmp_path / "users.db"
    added = subprocess.run(
        [*RIHUB, "user", "add", "ana", "--role", "reviewer", "--password-file", "-"],
        input="a-long-enough-password\n",
        capture_output=True,
        text=True,
        env={**os.environ, "RIHUB_DATABASE_URL": f"sqlite:///{db}"},
        timeout=120,
        check=False,
    )
    assert added.returncode == 0, added.stderr
    made = run("user", "token", "ana", "--name", "ci", db=db)
    secret = made.stdout.strip()
    assert made.returncode == 0 and secret.startswith("rih_") and secret not in made.stderr
    [user] = json.loads(run("user", "list", "--json", db=db).stdout)
    assert (user["username"], user["role"], user["has_password"], user["disabled"]) == ("ana", "reviewer", True, False)
    listed = json.loads(run("user", "token", "--list", "--json", db=db).stdout)
    assert [(k["name"], k["prefix"]) for k in listed] == [("ci", secret[:12])] and secret not in json.dumps(listed)
    revoked = json.loads(run("user", "token", "--revoke", str(listed[0]["id"]), "--json", db=db).stdout)
    assert revoked["revoked_at"] is not None
    assert json.loads(run("user", "disable", "ana", "--json", db=db).stdout)["disabled"] is True
    bad = run("user", "role", "ana", "boss", db=db)
    assert bad.returncode == 1 and bad.stderr.strip() == "error: role 'boss' is not one of contributor, reviewer, admin"
    missing = run("user", "add", "ben", "--password-file", str(tmp_path / "nope"), db=db)
    assert missing.returncode == 1 and "cannot read the password file" in missing.stderr


def test_align_predict_file_json_and_bad_input(tmp_path: Path) -> None:
    db = tmp_path / "cli.db"
    lines = tmp_path / "texts.txt"
    lines.write_text("Expand mobile broadband network coverage in rural areas.\n\nNational CSIRTs and cyberdrills.\n")
    result = run("align", "predict", "--file", str(lines), "--json", db=db)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [d["text"][:6] for d in data] == ["Expand", "Nation"]
    assert data[0]["SDG"][0]["code"] == "9" and data[1]["WSIS"][0]["code"] == "C5"
    assert "Loading weights" not in result.stderr  # no library's progress bar in rihub's output
    binary = tmp_path / "texts.bin"
    binary.write_bytes(b"\x7fELF\x02\x01\x00\x00" + bytes(range(256)) * 4)
    latin = tmp_path / "latin.txt"
    latin.write_bytes("Coopération régionale pour le haut débit.\n".encode("latin-1"))
    for path, message in ((binary, "is a binary file, not text"), (latin, "is not UTF-8 text")):
        refused = run("align", "predict", "--file", str(path), db=db)
        assert refused.returncode == 1 and refused.stderr.count("\n") == 1, refused.stderr
        assert message in refused.stderr and "Traceback" not in refused.stderr
    bad = run("align", "predict", "--file", str(tmp_path / "missing.txt"), db=db)
    assert bad.returncode != 0 and "no such file" in bad.stderr and "Traceback" not in bad.stderr
    both = run("align", "predict", "x", "--file", str(lines), db=db)
    assert both.returncode != 0 and "Traceback" not in both.stderr
    netp = "Develop National Emergency Telecommunication Plans and early warning systems."
    table = run("align", "predict", netp, db=db)
    assert table.returncode == 0, table.stderr
    row = next(line for line in table.stdout.splitlines() if "│ 11 " in line)  # the view that carried it, said
    assert "shared_indicator" in row and "indicator shared with goal 13" in row


def test_align_calibrate_without_reviews_keeps_the_shipped_calibration(tmp_path: Path, report_path: Path) -> None:
    db = tmp_path / "cli.db"
    assert run("ingest", str(report_path), db=db).returncode == 0
    result = run("align", "calibrate", "--json", db=db)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []
    reset = run("align", "calibrate", "--reset", db=db)
    assert reset.returncode == 0 and "shipped calibration restored" in reset.stdout


def test_predict_titles_cut_long_texts_at_a_word() -> None:
    from rihub.cli import _shown_text

    short = "Spectrum management and transition to digital broadcasting."
    assert _shown_text(short) == short
    long = "Assistance to Member States in " + "deploying broadband networks, " * 12
    shown = _shown_text(long)
    assert shown.endswith(" …") and len(shown) <= 202 and long.startswith(shown[:-2])
    assert long[len(shown) - 2] in " ,", "cut inside a word"
