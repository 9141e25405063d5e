"""Backups: a pg_dump of the database, a media archive and a manifest of checksums; and restore."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import django
import psycopg
from django.conf import settings
from django.db import connections
from django.utils import timezone
from psycopg import sql

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"
# Debian keeps versioned client binaries here when they are not on PATH.
PG_BIN_DIRS = [Path("/usr/lib/postgresql/15/bin"), Path("/usr/lib/postgresql/16/bin")]


class BackupError(Exception):
    """A backup or restore that must stop, with a Vietnamese reason."""


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for folder in PG_BIN_DIRS:
        if (folder / name).exists():
            return str(folder / name)
    raise BackupError(f"Không tìm thấy chương trình {name} của PostgreSQL trên máy này.")


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _libpq(params: dict) -> tuple[list[str], dict[str, str]]:
    """Connection arguments and environment for the PostgreSQL command-line tools."""
    args = ["--dbname", params["NAME"]]
    if params.get("HOST"):
        args += ["--host", str(params["HOST"])]
    if params.get("PORT"):
        args += ["--port", str(params["PORT"])]
    if params.get("USER"):
        args += ["--username", params["USER"]]
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    return args, env


def _run(command: list[str], env: dict[str, str]) -> str:
    # The program is a PostgreSQL tool found above; arguments come from settings, no shell.
    done = subprocess.run(command, env=env, capture_output=True, text=True)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} thất bại: {done.stderr.strip()[:2000]}")
    return done.stdout


def row_counts(alias: str = "default") -> dict[str, int]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        tables = sorted(connection.introspection.table_names(cursor))
        counts = {}
        for table in tables:
            quoted = connection.ops.quote_name(table)  # a name from the catalog, quoted
            cursor.execute(f"SELECT count(*) FROM {quoted}")  # noqa: S608
            counts[table] = cursor.fetchone()[0]
    return counts


def backup(dest: Path, *, alias: str = "default") -> Path:
    """Write database.dump, media.tar.gz and manifest.json into a new folder under `dest`."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        raise BackupError("Sao lưu chỉ hỗ trợ cơ sở dữ liệu PostgreSQL.")
    connection.ensure_connection()
    folder = Path(dest) / f"kpi-backup-{timezone.now():%Y%m%d-%H%M%S-%f}"
    folder.mkdir(parents=True)
    args, env = _libpq(connection.settings_dict)
    pg_dump = _binary("pg_dump")
    _run([pg_dump, "--format=custom", "--no-owner", "--file", str(folder / DUMP), *args], env)
    media_root = Path(settings.MEDIA_ROOT)
    with tarfile.open(folder / MEDIA, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname=".")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": connection.settings_dict["NAME"],
        "versions": {
            "pg_dump": _run([pg_dump, "--version"], env).strip(),
            "postgresql_server": connection.connection.info.server_version,
            "django": django.get_version(),
        },
        "files": {
            name: {"sha256": sha256_of(folder / name), "bytes": (folder / name).stat().st_size}
            for name in (DUMP, MEDIA)
        },
        "row_counts": row_counts(alias),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
    return folder


def verify(folder: Path) -> dict:
    """The manifest, once every file listed in it matches its checksum."""
    folder = Path(folder)
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
        files = manifest["files"]
    except (OSError, ValueError, KeyError) as error:
        raise BackupError(f"Bản sao lưu không có tệp kê khai hợp lệ ({MANIFEST}).") from error
    for name in (DUMP, MEDIA):
        path = folder / name
        if name not in files or not path.exists() or sha256_of(path) != files[name]["sha256"]:
            raise BackupError(
                f"Tệp {name} không khớp mã kiểm tra trong bản kê khai: bản sao lưu đã bị hỏng "
                "hoặc bị sửa, không khôi phục."
            )
    return manifest


def parse_database_url(url: str) -> dict:
    parts = urlparse(url)
    if parts.scheme not in ("postgres", "postgresql") or not parts.path.strip("/"):
        raise BackupError("Địa chỉ cơ sở dữ liệu đích phải có dạng postgres://.../tên_csdl.")
    return {
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
    }


def _conninfo(params: dict, dbname: str) -> dict:
    info = {"dbname": dbname, "user": params["USER"], "password": params["PASSWORD"]}
    info.update({"host": params["HOST"]} if params["HOST"] else {})
    info.update({"port": params["PORT"]} if params["PORT"] else {})
    return info


def prepare_target(params: dict) -> bool:
    """Create the target database, or check it is empty; True when it was created."""
    with psycopg.connect(**_conninfo(params, "postgres"), autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [params["NAME"]]
        ).fetchone()
        if not exists:
            name = sql.Identifier(params["NAME"])
            admin.execute(sql.SQL("CREATE DATABASE {}").format(name))
            return True
    with psycopg.connect(**_conninfo(params, params["NAME"])) as target:
        tables = target.execute(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        ).fetchone()[0]
    if tables:
        raise BackupError(
            f"Cơ sở dữ liệu đích {params['NAME']} đã có dữ liệu; chỉ khôi phục vào cơ sở dữ liệu "
            "trống hoặc chưa tồn tại."
        )
    return False


def restore(folder: Path, *, database_url: str, media_dir: Path) -> dict:
    """Check the checksums, then load the dump into an empty database and unpack the media."""
    manifest = verify(folder)
    media_dir = Path(media_dir)
    if media_dir.exists() and any(media_dir.iterdir()):
        raise BackupError(f"Thư mục tệp đích {media_dir} không trống; hãy chọn thư mục trống.")
    params = parse_database_url(database_url)
    prepare_target(params)
    args, env = _libpq(params)
    command = [_binary("pg_restore"), "--no-owner", "--exit-on-error", *args]
    _run([*command, str(Path(folder) / DUMP)], env)
    media_dir.mkdir(parents=True, exist_ok=True)
    with tarfile.open(Path(folder) / MEDIA, "r:gz") as archive:
        # The data filter refuses absolute paths, links out of the folder and device files.
        archive.extractall(media_dir, filter="data")
    return manifest
