"""The command line every service shares: `serve` (default), `migrate [--seed FILE]`.

Kept light on purpose: a service's __main__ names its parts as "module:attribute" strings, and
only the parts the command needs are imported, so `migrate` does not pay for the web stack.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kit import telemetry


def _load(ref: str) -> Any:
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)


def run(
    name: str,
    *,
    settings: str,
    spec: str,
    migrations: str | None = None,
    seed: str | None = None,
    commands: dict[str, tuple[str, str]] | None = None,
    argv: Sequence[str] | None = None,
) -> None:
    """Parse the command line and run the command; refs are "module:attribute" strings.
    `commands` adds service-specific ones: name -> (help, ref of `async def fn(settings) -> int`)."""
    parser = argparse.ArgumentParser(prog=f"python -m {name}")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("serve", help="run the HTTP and gRPC servers and the event workers")
    if migrations:
        mig = sub.add_parser("migrate", help="apply this service's migrations to its own schema")
        if seed:
            mig.add_argument(
                "--seed", metavar="FILE", help="then load organisation data (idempotent)"
            )
    for command, (help_, _) in (commands or {}).items():
        sub.add_parser(command, help=help_)
    args = parser.parse_args(argv)
    loaded = _load(settings)()
    telemetry.setup_logging(name, loaded.log_level)
    if args.command == "migrate":
        from kit.migrations import upgrade

        assert migrations is not None
        upgrade(migrations, loaded.migrate_database_url or loaded.database_url)
        if getattr(args, "seed", None):
            org = json.loads(Path(args.seed).read_text())
            asyncio.run(_seed(name, loaded, _load(seed or ""), org))
        return
    if commands and args.command in commands:
        raise SystemExit(asyncio.run(_load(commands[args.command][1])(loaded)))
    import uvloop

    from kit.runtime import run_service

    telemetry.setup_tracing(name, loaded.trace_sample_ratio)
    uvloop.run(run_service(_load(spec), loaded))


async def _seed(name: str, settings: Any, seed_fn: Any, org: dict[str, Any]) -> None:
    from kit.db import Database

    schema = name
    db = Database(settings.database_url, schema, pool_size=2)
    try:
        async with db.begin() as session:
            await seed_fn(session=session, settings=settings, org=org)
    finally:
        await db.dispose()
