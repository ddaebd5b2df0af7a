"""`arshif export` on real databases: what is exported, and that pandas/pyarrow (and so
`datasets`) load every format as-is."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.json as pajson
import pyarrow.parquet as pq
import pytest

from archive import export_formats
from archive.cli import main
from archive.export import (
    FIELD_NAMES,
    ExportOptions,
    Format,
    Record,
    export,
    formats,
    register,
)
from archive.export_formats import arrow_schema
from archive.selection import Selection
from archive.store import Archive
from tests.archive.conftest import FixtureArchive

CORPUS = 13  # 7 alsham + 6 hurriya stories; the two republications left out


def run_export(
    capsys: pytest.CaptureFixture[str], db: FixtureArchive, *args: str
) -> tuple[int, str, str]:
    code = main(["export", "--db", db.url, *args])
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(
    capsys: pytest.CaptureFixture[str], db: FixtureArchive, *args: str
) -> list[dict[str, Any]]:
    code, out, _ = run_export(capsys, db, "--format", "jsonl", *args)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


def test_default_is_one_record_per_story_with_its_republishers(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    records = jsonl(capsys, fixture_db)
    assert len(records) == CORPUS
    assert all(tuple(r) == FIELD_NAMES for r in records)
    assert all(r["duplicate_of_id"] is None for r in records)
    wire = next(r for r in records if r["url"] == fixture_db.facts.wire_url)
    assert wire["republished_by"] == ["hurriya", "mirror"]
    assert wire["duplicate_count"] == 2
    assert wire["published_at"] == "2019-05-12T07:05:00+00:00"
    others = [r for r in records if r is not wire]
    assert all(r["republished_by"] == [] for r in others)
    edited = next(r for r in records if r["url"] == fixture_db.facts.edited_url)
    assert edited["version"] == 2  # the latest version
    assert [r["article_id"] for r in records] == sorted(r["article_id"] for r in records)


def test_duplicates_versions_and_filters(
    fixture_db: FixtureArchive, capsys: pytest.CaptureFixture[str]
) -> None:
    everything = jsonl(capsys, fixture_db, "--include-duplicates")
    assert len(everything) == CORPUS + 2
    copy = next(r for r in everything if r["url"] == fixture_db.facts.hurriya_copy_url)
    assert copy["duplicate_kind"] in ("exact", "near")
    assert copy["duplicate_of_id"] == next(
        r["article_id"] for r in everything if r["url"] == fixture_db.facts.wire_url
    )

    versions = jsonl(capsys, fixture_db, "--all-versions")
    assert len(versions) == CORPUS + 1
    edited = [r["version"] for r in versions if r["url"] == fixture_db.facts.edited_url]
    assert edited == [1, 2]

    hurriya = jsonl(capsys, fixture_db, "--source", "hurriya", "--include-duplicates")
    assert len(hurriya) == 7
    assert {r["source"] for r in hurriya} == {"hurriya"}

    march = jsonl(capsys, fixture_db, "--since", "2019-03", "--until", "2019-03")
    assert sorted(r["published_at"][:7] for r in march) == ["2019-03"] * 3
    may = jsonl(capsys, fixture_db, "--since", "2019-05-13", "--until", "2019-05-20")
    assert sorted(r["published_at"][:10] for r in may) == ["2019-05-19", "2019-05-20"]


def test_parquet_loads_in_pandas_with_its_schema(
    fixture_db: FixtureArchive,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export_formats, "ROW_GROUP", 4)
    out = tmp_path / "corpus.parquet"
    code, _, err = run_export(capsys, fixture_db, "--out", str(out), "--include-duplicates")
    assert code == 0
    assert f"exported 15 records (parquet) to {out}" in err
    meta = pq.ParquetFile(out)
    assert meta.metadata.num_row_groups == 4  # 4 + 4 + 4 + 3: written in row groups
    assert meta.schema_arrow.remove_metadata().equals(arrow_schema().remove_metadata())
    options = json.loads(meta.schema_arrow.metadata[b"arshif"])["options"]
    assert options["include_duplicates"] is True

    df = pd.read_parquet(out)
    assert len(df) == 15
    assert str(df["published_at"].dtype) == "datetime64[us, UTC]"
    assert df["article_id"].dtype == "int64"
    wire = df[df["url"] == fixture_db.facts.wire_url].iloc[0]
    assert list(wire["republished_by"]) == ["hurriya", "mirror"]
    assert df["text"].str.contains("\n").any()  # paragraphs kept

    # What datasets.load_dataset("parquet") relies on: one schema, lists never null.
    table = pq.read_table(out)
    assert table.schema.field("republished_by").type == pa.list_(pa.string())
    assert table.column("republished_by").null_count == 0


def test_jsonl_and_csv_load_as_is(
    fixture_db: FixtureArchive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "corpus.jsonl"
    assert run_export(capsys, fixture_db, "--out", str(path), "--include-duplicates")[0] == 0
    df = pd.read_json(path, lines=True)
    assert len(df) == 15
    assert str(df["published_at"].dtype).startswith("datetime64")

    # datasets.load_dataset("json") reads with pyarrow in blocks: types must agree across
    # blocks (no column that is a string in one record and a number in another).
    longest = max(len(line.encode()) for line in path.read_text(encoding="utf-8").splitlines())
    assert path.stat().st_size > 3 * longest  # so the reader below sees several blocks
    table = pajson.read_json(path, read_options=pajson.ReadOptions(block_size=longest + 1))
    assert table.num_rows == 15
    assert table.schema.field("republished_by").type == pa.list_(pa.string())
    assert table.schema.field("similarity").type == pa.float64()
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    for name in FIELD_NAMES:
        kinds = {type(r[name]).__name__ for r in records} - {"NoneType"}
        assert len(kinds) <= 1, f"{name} has mixed types {kinds}"

    csv_path = tmp_path / "corpus.csv"
    assert run_export(capsys, fixture_db, "--out", str(csv_path))[0] == 0
    frame = pd.read_csv(csv_path, keep_default_na=False)
    assert list(frame.columns) == list(FIELD_NAMES)
    assert len(frame) == CORPUS
    by_url = frame.set_index("url")
    assert by_url.loc[fixture_db.facts.wire_url, "republished_by"] == "hurriya, mirror"
    from_json = {r["url"]: r["text"] for r in records}
    assert all(by_url.loc[u, "text"] == from_json[u] for u in by_url.index)


def test_bad_requests_fail_cleanly(
    fixture_db: FixtureArchive, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_export(capsys, fixture_db, "--format", "parquet")
    assert (code, out) == (2, "")
    assert "give --out FILE" in err
    code, _, err = run_export(capsys, fixture_db, "--source", "nope")
    assert code == 2
    assert "no outlet named 'nope'" in err
    assert "known: alsham, hurriya, mirror" in err
    code, _, err = run_export(capsys, fixture_db, "--since", "March")
    assert code == 2
    assert "--since: not a date: 'March'" in err
    code, _, err = run_export(capsys, fixture_db, "--format", "xml")
    assert code == 2
    assert "unknown format 'xml'" in err


def test_an_interrupted_export_leaves_no_file(
    fixture_db: FixtureArchive, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "corpus.jsonl"
    out.write_text("the previous export\n", encoding="utf-8")

    def boom(self: Any, batch: list[Record]) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(export_formats.JsonLinesWriter, "write", boom)
    with Archive.open(fixture_db.url) as archive, pytest.raises(KeyboardInterrupt):
        export(archive.engine, "jsonl", out, ExportOptions())
    assert out.read_text(encoding="utf-8") == "the previous export\n"
    assert list(tmp_path.iterdir()) == [out]


def test_a_new_format_plugs_into_the_registry(fixture_db: FixtureArchive) -> None:
    class Urls:
        def __init__(self, stream: IO[Any], options: ExportOptions) -> None:
            self.stream = stream

        def write(self, batch: list[Record]) -> None:
            self.stream.write("".join(r["url"] + "\n" for r in batch))

        def close(self) -> None:
            pass

    register(Format("urls", ".txt", False, Urls, "one URL per line"))
    try:
        buffer = io.StringIO()
        with Archive.open(fixture_db.url) as archive:
            import contextlib

            with contextlib.redirect_stdout(buffer):
                n = export(
                    archive.engine,
                    "urls",
                    None,
                    ExportOptions(Selection(sources=("mirror",), include_duplicates=True)),
                )
        assert n == 1
        assert buffer.getvalue() == "http://mirror.example/2019/05/14/wheat\n"
    finally:
        from archive import export as export_module

        export_module._FORMATS.pop("urls")
    assert "urls" not in formats()


def test_progress_reports_done_and_total(fixture_db: FixtureArchive, tmp_path: Path) -> None:
    seen: list[tuple[int, int]] = []
    with Archive.open(fixture_db.url) as archive:
        n = export(
            archive.engine,
            "csv",
            tmp_path / "c.csv",
            ExportOptions(),
            progress=lambda done, total: seen.append((done, total)),
            batch=5,
        )
    assert n == CORPUS
    assert seen == [(5, CORPUS), (10, CORPUS), (CORPUS, CORPUS)]
