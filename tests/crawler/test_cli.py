"""The `arshif` command line, called in-process through `main(argv)`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archive import migrate
from archive.sources import Source
from archive.store import Archive
from crawler.cli import main
from tests.archive.pages import article_html, page, seed

COMMANDS = [
    [],
    ["crawl"],
    ["demo"],
    ["db"],
    ["db", "upgrade"],
    ["db", "downgrade"],
    ["db", "current"],
    ["stats"],
    ["extract"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "arshif")
def test_every_command_has_help(command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([*command, "--help"])
    assert info.value.code == 0
    assert "usage: arshif" in capsys.readouterr().out


def test_db_commands(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["db", "current", "--db", sqlite_url]) == 0
    assert "revision none (empty)" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    head = migrate.head_revision()
    assert f"upgraded empty database -> {head}" in capsys.readouterr().out
    assert main(["db", "upgrade", "--db", sqlite_url]) == 0
    assert f"already at revision {head}" in capsys.readouterr().out
    assert main(["db", "current", "--db", sqlite_url]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["db", "downgrade", "base", "--db", sqlite_url]) == 0
    assert "base (empty)" in capsys.readouterr().out


def test_stats_table_and_json(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["stats", "--db", sqlite_url]) == 0
    assert "the archive is empty" in capsys.readouterr().out
    with Archive.open(sqlite_url) as archive:
        archive.sync_sources([Source(name="gov", url="http://gov.example/")])
        run = archive.start_run("gov")
        archive.ingest(
            page("gov", "http://gov.example/archives/1", article_html("عنوان", seed("004"))), run
        )
        archive.finish_run(run, "ok")
    assert main(["stats", "--db", sqlite_url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == [
        "source",
        "articles",
        "versions",
        "duplicates",
        "last",
        "crawl",
        "status",
    ]
    assert out[2].split()[:4] == ["gov", "1", "1", "0"]
    assert out[2].split()[-1] == "ok"
    assert main(["stats", "--json", "--db", sqlite_url]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["source"], row["articles"], row["last_run_status"]) == ("gov", 1, "ok")


@pytest.mark.parametrize(
    ("db", "message"),
    [
        ("mysql://u@h/db", "unsupported database 'mysql'"),
        ("sqlite:////nonexistent-dir/x.db", "cannot use database sqlite:////nonexistent-dir/x.db"),
    ],
)
def test_bad_database_urls_are_one_line_errors(
    db: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["stats", "--db", db]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_env_var_selects_the_archive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "env.db"
    monkeypatch.setenv("ARSHIF_DB_URL", str(db))
    assert main(["db", "upgrade"]) == 0
    assert db.exists()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ARSHIF_DB_URL")
    assert main(["db", "upgrade"]) == 0
    assert (tmp_path / "arshif.db").exists()
