"""Database access bound to one service's own schema, and the unit of work around it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TypeAlias

from sqlalchemy import MetaData, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def schema_metadata(schema: str) -> MetaData:
    """A MetaData whose tables all live in the service's schema, with stable constraint names."""
    return MetaData(schema=schema, naming_convention=NAMING)


# What service functions receive as `session`: a Core connection inside a transaction. The
# services use Core statements only; the ORM session's unit-of-work machinery would cost CPU on
# every request (measured: a quarter of the tickets service's time) for nothing.
Session: TypeAlias = AsyncConnection


class Database:
    """The engine of one service; `begin()` is its unit of work."""

    def __init__(self, url: str, schema: str, *, pool_size: int = 10) -> None:
        self.schema = schema
        self.engine: AsyncEngine = create_async_engine(
            url,
            # A fixed pool: callers beyond it wait for a connection. Overflow connections would be
            # opened and closed under load, and each costs a SCRAM handshake and a backend fork.
            pool_size=pool_size,
            max_overflow=0,
            pool_timeout=10,
            pool_pre_ping=False,
            connect_args={"options": f"-c search_path={schema}"},
        )

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[Session]:
        """One transaction: commits when the block ends normally, rolls back on an exception."""
        async with self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        """A connection for reads only; its transaction is rolled back at the end."""
        async with self.engine.connect() as conn:
            yield conn

    async def ping(self) -> None:
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def dispose(self) -> None:
        await self.engine.dispose()
