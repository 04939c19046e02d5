"""The database engine and session factory for SQLite (embedded) or PostgreSQL."""

from dataclasses import dataclass
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)


@dataclass(frozen=True, slots=True)
class Database:
    """One engine and the sessions made from it."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]

    @property
    def dialect(self) -> str:
        """`sqlite` or `postgresql`."""
        return self.engine.dialect.name

    async def dispose(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


def connect(url: str, *, echo: bool = False) -> Database:
    """An engine for the URL; SQLite gets foreign keys, WAL and serialised writers."""
    # hide_parameters: a database error's text (logged, or reported by a function) never
    # carries the values of a statement, which can be a customer's words.
    options: dict[str, Any] = {"echo": echo, "pool_pre_ping": True, "hide_parameters": True}
    engine = create_async_engine(url, **options)
    if engine.dialect.name == "sqlite":
        _serialise_sqlite_writers(engine)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    return Database(engine=engine, sessions=sessions)


def _serialise_sqlite_writers(engine: AsyncEngine) -> None:
    """SQLite allows one writer: every transaction takes the write lock when it begins.

    Without this a transaction that reads and then writes (the audit chain reads the last
    hash, then appends) can interleave with another and fail, or fork the chain.
    """

    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.isolation_level = None  # the driver must not issue its own BEGIN
        cursor = dbapi_connection.cursor()
        for pragma in ("foreign_keys=ON", "journal_mode=WAL", "busy_timeout=30000"):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
