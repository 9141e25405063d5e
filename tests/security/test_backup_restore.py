"""A backup restored into a fresh database holds every row and every media file, unchanged."""

import json
import uuid
from pathlib import Path

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from kpi_portal import audit
from kpi_portal.backup import parse_database_url, row_counts

CHECKED_TABLES = ["kpi_portal_auditevent", "orgunits_person", "orgunits_orgunit", "auth_group"]


def _url(name: str) -> str:
    params = connection.settings_dict
    return (
        f"postgres://{params['USER']}:{params['PASSWORD']}@{params['HOST'] or '127.0.0.1'}:"
        f"{params['PORT'] or 5432}/{name}"
    )


def _connect(url: str):
    params = parse_database_url(url)
    return psycopg.connect(
        dbname=params["NAME"],
        user=params["USER"],
        password=params["PASSWORD"],
        host=params["HOST"],
        port=params["PORT"],
        autocommit=True,
    )


def _fingerprints(cursor, tables) -> dict[str, str]:
    """An md5 over each table's rows in id order: equal only if every value is equal."""
    found = {}
    for table in tables:
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(t::text, '|' ORDER BY t.id), '')) FROM {table} t"  # noqa: S608
        )
        found[table] = cursor.fetchone()[0]
    return found


@pytest.fixture
def fresh_database():
    name = f"test_restore_{uuid.uuid4().hex[:10]}"
    url = _url(name)
    yield url
    with _connect(_url("postgres")) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def media_files(settings, tmp_path) -> dict[str, bytes]:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = str(root)
    files = {
        "evidence/2026/03/bao-cao.pdf": b"%PDF-1.4\n" + bytes(range(256)) * 40,
        "exports/tong-hop.xlsx": b"PK\x03\x04" + b"\x00\xff" * 5000,
        "ghi chú/tệp tiếng Việt.txt": "Hoàn thành tốt nhiệm vụ".encode(),
    }
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return files


def test_backup_restores_every_row_and_file_identically(
    transactional_db, units, system_admin, media_files, tmp_path, fresh_database
):
    for index in range(5):
        audit.record(by=system_admin, action="test.backup", obj=units["T-A"], reason=str(index))
    folder = Path(call_command("backup", dest=str(tmp_path / "backups")))
    manifest = json.loads((folder / "manifest.json").read_text())
    assert set(manifest["files"]) == {"database.dump", "media.tar.gz"}
    assert manifest["row_counts"] == row_counts()
    assert manifest["row_counts"]["kpi_portal_auditevent"] >= 5

    restored_media = tmp_path / "restored-media"
    call_command("restore", str(folder), database_url=fresh_database, media_dir=str(restored_media))

    with connection.cursor() as cursor:
        expected = _fingerprints(cursor, CHECKED_TABLES)
    with _connect(fresh_database) as target, target.cursor() as cursor:
        assert _fingerprints(cursor, CHECKED_TABLES) == expected
        for table, count in manifest["row_counts"].items():
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608
            assert cursor.fetchone()[0] == count, table
    for relative, content in media_files.items():
        assert (restored_media / relative).read_bytes() == content
    restored_files = {p for p in restored_media.rglob("*") if p.is_file()}
    assert len(restored_files) == len(media_files)


def test_restore_refuses_a_backup_whose_checksum_does_not_match(
    db, media_files, tmp_path, fresh_database
):
    folder = Path(call_command("backup", dest=str(tmp_path / "backups")))
    with (folder / "media.tar.gz").open("ab") as archive:
        archive.write(b"tampered")
    with pytest.raises(CommandError, match="không khớp mã kiểm tra"):
        call_command(
            "restore", str(folder), database_url=fresh_database, media_dir=str(tmp_path / "out")
        )
    with _connect(_url("postgres")) as admin:
        name = parse_database_url(fresh_database)["NAME"]
        assert not admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()


def test_restore_refuses_a_database_that_already_holds_data(db, media_files, tmp_path):
    folder = Path(call_command("backup", dest=str(tmp_path / "backups")))
    with pytest.raises(CommandError, match="đã có dữ liệu"):
        call_command(
            "restore",
            str(folder),
            database_url=_url(connection.settings_dict["NAME"]),
            media_dir=str(tmp_path / "out"),
        )
