"""The benchmark's own PostgreSQL database, made afresh for every run.

Starting from an empty database makes runs comparable (no rows, bloat or statistics left
by an earlier run). Because it is dropped, the database's name must contain "bench": a
DATABASE_URL meant for the application or the tests is refused, never emptied.
"""

import contextlib
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/lpc360_bench"


class DatabaseRefused(Exception):
    pass


@dataclass(frozen=True)
class DatabaseURL:
    url: str
    name: str
    host: str
    port: int
    user: str
    password: str

    @classmethod
    def parse(cls, url: str) -> "DatabaseURL":
        split = urlsplit(url)
        if split.scheme not in ("postgres", "postgresql", "pgsql"):
            raise DatabaseRefused(f"The benchmark needs PostgreSQL, not {split.scheme or url!r}.")
        name = unquote(split.path.lstrip("/"))
        if "bench" not in name:
            raise DatabaseRefused(
                f"The benchmark drops and recreates its database; {name!r} does not look like "
                "one made for it. Use a database whose name contains 'bench' "
                "(e.g. BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/lpc360_bench)."
            )
        return cls(
            url=url,
            name=name,
            host=split.hostname or "127.0.0.1",
            port=split.port or 5432,
            user=unquote(split.username or "postgres"),
            password=unquote(split.password or ""),
        )

    def connect(self, dbname: str | None = None, timeout: int = 3):
        import psycopg2

        return psycopg2.connect(
            dbname=dbname or self.name,
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            connect_timeout=timeout,
        )


def server_answers(database: DatabaseURL) -> bool:
    import psycopg2

    try:
        with contextlib.closing(database.connect("postgres", timeout=2)):
            return True
    except psycopg2.Error:
        return False


def database_recreate(database: DatabaseURL) -> str:
    """Drop and create the benchmark database; returns the server's version."""
    from psycopg2 import sql

    with contextlib.closing(database.connect("postgres")) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            name = sql.Identifier(database.name)
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(name))
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]


def database_prepare() -> None:
    """Migrate and load the framework (after ``django.setup()`` on the new database)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("load_framework", verbosity=0)
