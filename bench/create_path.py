"""Benchmark of the create path: POST /tickets -> routing (gRPC) -> tickets + outbox in one
transaction -> relay -> JetStream -> sla clock + audit entry.

Starts its own stack (embedded PostgreSQL, NATS, every service) in a temp dir on free loopback
ports, measures, stops everything, and writes bench/results/latest.json:

  pg_limit_tps        pgbench on the same server: one ticket-shaped + one outbox-shaped insert
                      per transaction, into scratch copies of the real tables (16 clients, -n)
  create_tps          tickets/s at 32 closed-loop clients, counted only once sla AND audit have
                      recorded them (time from first request to the last one recorded by both)
  create_vs_pg_limit  create_tps / pg_limit_tps
  create_p50_ms/p99   POST /tickets latency at a fixed open-loop rate of create_tps / 2
  rss_mb              resident memory per process at idle after the run

It reports; it never fails on a time. Exit 1 only when the system itself failed (more than 1%
errors, or sla/audit never recorded every created ticket). See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
import psycopg

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is a dependency of the services
    uvloop = None  # type: ignore[assignment]

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = ROOT / "bench" / "results" / "latest.json"
HOST = "127.0.0.1"
SCRATCH = "bench_scratch"
TITLE = "Printer on floor 3 jams on every page"
DESCRIPTION = (
    "Since this morning the printer in room 312 jams after each page; the paper tray was "
    "refilled and the device restarted, without effect. Please send someone to look at it."
)
PRIORITIES = ("low", "normal", "high")
TRACEPARENT = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
ERROR_LIMIT = 0.01  # more than 1% non-2xx (or failed) requests: the system failed
REQUEST_TIMEOUT_S = 30.0


# --------------------------------------------------------------------------------------------
# A minimal keep-alive HTTP/1.1 client on asyncio streams: cheap on CPU, one request at a time
# per connection. Only what talking to uvicorn needs (Content-Length or chunked bodies).
# --------------------------------------------------------------------------------------------
KEEPALIVE_EXPIRY_S = 3.0  # uvicorn closes idle keep-alive connections after 5 s


class HttpConn:
    __slots__ = ("closed", "last_used", "reader", "writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer
        self.closed = False
        self.last_used = asyncio.get_running_loop().time()

    def expired(self, now: float) -> bool:
        return self.closed or now - self.last_used > KEEPALIVE_EXPIRY_S

    @classmethod
    async def open(cls, host: str, port: int) -> HttpConn:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer)

    async def request(self, data: bytes) -> tuple[int, bytes]:
        self.writer.write(data)
        head = await self.reader.readuntil(b"\r\n\r\n")
        status = int(head[9:12])
        lower = head.lower()
        i = lower.find(b"\r\ncontent-length:")
        if i >= 0:
            j = lower.index(b"\r\n", i + 2)
            n = int(head[i + 17 : j])
            body = await self.reader.readexactly(n) if n else b""
        elif b"\r\ntransfer-encoding: chunked" in lower:
            body = await self._chunked()
        else:
            body = await self.reader.read()
            self.closed = True
        if b"\r\nconnection: close" in lower:
            self.closed = True
        self.last_used = asyncio.get_running_loop().time()
        return status, body

    async def _chunked(self) -> bytes:
        parts = []
        for _ in range(100_000):
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self.reader.readuntil(b"\r\n")
                break
            parts.append(await self.reader.readexactly(size + 2))
        return b"".join(p[:-2] for p in parts)

    def close(self) -> None:
        self.closed = True
        self.writer.close()


class CreateRequests:
    """Pre-encoded POST /api/v1/tickets requests; each one carries a fresh Idempotency-Key."""

    def __init__(self, port: int, token: str, categories: list[str]) -> None:
        self.head = (
            f"POST /api/v1/tickets HTTP/1.1\r\nHost: {HOST}:{port}\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            "Accept: application/json\r\n"
        ).encode()
        self.bodies = [
            json.dumps(
                {
                    "title": TITLE,
                    "description": DESCRIPTION,
                    "category_id": c,
                    "priority": PRIORITIES[i % len(PRIORITIES)],
                },
                separators=(",", ":"),
            ).encode()
            for i, c in enumerate(categories * len(PRIORITIES))
        ]
        self.n = 0

    def next(self) -> bytes:
        self.n += 1
        body = self.bodies[self.n % len(self.bodies)]
        return b"%sIdempotency-Key: %s\r\nContent-Length: %d\r\n\r\n%s" % (
            self.head,
            uuid.uuid4().hex.encode(),
            len(body),
            body,
        )


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    first_request: float = 0.0
    last_response: float = 0.0
    connections_opened: int = 0
    resent: int = 0
    error_samples: list[str] = field(default_factory=list)

    def record(self, status: int | str, latency: float, body: bytes = b"") -> None:
        key = str(status)
        self.statuses[key] = self.statuses.get(key, 0) + 1
        if isinstance(status, int) and 200 <= status < 300:
            self.ok += 1
            self.latencies.append(latency)
        else:
            self.errors += 1
            if len(self.error_samples) < 5:
                self.error_samples.append(f"{status}: {body[:300]!r}")


async def _one(
    conn: HttpConn | None, reqs: CreateRequests, port: int, res: LoadResult, started: float
) -> HttpConn | None:
    """Send one request (opening a connection if needed); returns the connection to reuse."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT_S):
            if conn is not None and conn.expired(loop.time()):
                conn.close()
                conn = None
            if conn is None:
                conn = await HttpConn.open(HOST, port)
                res.connections_opened += 1
            data = reqs.next()
            try:
                status, body = await conn.request(data)
            except (asyncio.IncompleteReadError, ConnectionResetError) as exc:
                # The server closed a kept-alive connection before answering: send the same
                # request (same Idempotency-Key, so never a duplicate) on a new connection.
                if isinstance(exc, asyncio.IncompleteReadError) and exc.partial:
                    raise
                conn.close()
                res.resent += 1
                conn = await HttpConn.open(HOST, port)
                res.connections_opened += 1
                status, body = await conn.request(data)
        res.record(status, loop.time() - started, body)
        return None if conn.closed else conn
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError) as exc:
        res.record(type(exc).__name__, loop.time() - started)
        if conn is not None:
            conn.close()
        return None


async def closed_loop(
    port: int,
    reqs: CreateRequests,
    clients: int,
    seconds: float,
    res: LoadResult | None = None,
) -> LoadResult:
    """`clients` connections, each sending its next request as soon as the previous answers."""
    loop = asyncio.get_running_loop()
    res = res if res is not None else LoadResult()
    conns = [await HttpConn.open(HOST, port) for _ in range(clients)]
    res.connections_opened = clients
    res.first_request = loop.time()
    end = res.first_request + seconds

    async def worker(conn: HttpConn | None) -> None:
        while loop.time() < end:
            conn = await _one(conn, reqs, port, res, loop.time())
            res.last_response = loop.time()
        if conn is not None:
            conn.close()

    await asyncio.gather(*(worker(c) for c in conns))
    return res


async def open_loop(
    port: int, reqs: CreateRequests, rate: float, seconds: float, max_conns: int = 512
) -> tuple[LoadResult, dict[str, Any]]:
    """Requests at a fixed rate whatever the answers; latency counts from the scheduled send
    time, so a stalled server shows up in the figures (no coordinated omission)."""
    loop = asyncio.get_running_loop()
    res = LoadResult()
    idle: list[HttpConn] = []
    for _ in range(16):
        idle.append(await HttpConn.open(HOST, port))
    res.connections_opened = len(idle)
    in_flight = 0
    max_in_flight = 0
    late = 0
    slots = asyncio.Semaphore(max_conns)
    n = max(1, int(rate * seconds))
    interval = 1.0 / rate
    start = loop.time() + 0.05
    res.first_request = start

    async def fire(due: float) -> None:
        nonlocal in_flight, max_in_flight
        async with slots:
            in_flight += 1
            max_in_flight = max(max_in_flight, in_flight)
            conn = idle.pop() if idle else None
            conn = await _one(conn, reqs, port, res, due)
            in_flight -= 1
            res.last_response = loop.time()
            if conn is not None:
                idle.append(conn)

    tasks = []
    for i in range(n):
        due = start + i * interval
        delay = due - loop.time()
        if delay > 0:
            await asyncio.sleep(delay)
        elif delay < -0.005:
            late += 1
        tasks.append(asyncio.create_task(fire(due)))
    await asyncio.wait(tasks, timeout=REQUEST_TIMEOUT_S + 5)
    for c in idle:
        c.close()
    return res, {
        "scheduled": n,
        "max_in_flight": max_in_flight,
        "sent_late_over_5ms": late,
        "connections_opened": res.connections_opened,
        "resent_on_closed_keepalive": res.resent,
    }


def percentile(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


def ms(v: float | None) -> float | None:
    return None if v is None else round(v * 1000, 2)


def latency_summary(values: list[float]) -> dict[str, float | None]:
    return {
        "p50_ms": ms(percentile(values, 50)),
        "p90_ms": ms(percentile(values, 90)),
        "p99_ms": ms(percentile(values, 99)),
        "max_ms": ms(max(values) if values else None),
    }


# --------------------------------------------------------------------------------------------
# Recording: sla.clocks and audit.entries, counted through the superuser connection
# --------------------------------------------------------------------------------------------
COUNT_SQL = (
    "SELECT (SELECT count(*) FROM sla.clocks),"
    " (SELECT count(*) FROM audit.entries WHERE seq > %s AND type = 'tickets.ticket.created'),"
    " (SELECT count(*) FROM tickets.tickets)"
)


class Recorder:
    """Counts what sla and audit have recorded since a baseline."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.conn: psycopg.AsyncConnection[Any] | None = None
        self.base_clocks = 0
        self.base_audit_seq = 0
        self.base_tickets = 0

    async def open(self) -> None:
        self.conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True)

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def rebase(self) -> None:
        assert self.conn is not None
        cur = await self.conn.execute(
            "SELECT (SELECT count(*) FROM sla.clocks),"
            " (SELECT coalesce(max(seq), 0) FROM audit.entries),"
            " (SELECT count(*) FROM tickets.tickets)"
        )
        row = await cur.fetchone()
        assert row is not None
        self.base_clocks, self.base_audit_seq, self.base_tickets = (int(x) for x in row)

    async def counts(self) -> tuple[int, int, int]:
        """(clocks, audit entries, tickets) added since the baseline."""
        assert self.conn is not None
        cur = await self.conn.execute(COUNT_SQL, (self.base_audit_seq,))
        row = await cur.fetchone()
        assert row is not None
        return (
            int(row[0]) - self.base_clocks,
            int(row[1]),
            int(row[2]) - self.base_tickets,
        )

    async def wait_recorded(self, expected: int, limit_s: float) -> tuple[float | None, int, int]:
        """Poll until both sla and audit hold `expected` new rows; returns (loop time when
        seen or None on timeout, clocks, audit)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + limit_s
        clocks = audit = 0
        while True:
            clocks, audit, _ = await self.counts()
            now = loop.time()
            if clocks >= expected and audit >= expected:
                return now, clocks, audit
            if now > end:
                return None, clocks, audit
            await asyncio.sleep(0.05)

    async def db_stats(self) -> dict[str, int]:
        """Server-wide counters of the app database: sessions opened, commits, rollbacks."""
        assert self.conn is not None
        cur = await self.conn.execute(
            "SELECT sessions, xact_commit, xact_rollback FROM pg_stat_database"
            " WHERE datname = current_database()"
        )
        row = await cur.fetchone()
        assert row is not None
        return {"sessions": int(row[0]), "commits": int(row[1]), "rollbacks": int(row[2])}

    async def unrouted(self) -> int:
        assert self.conn is not None
        cur = await self.conn.execute(
            "SELECT count(*) FROM (SELECT group_id FROM tickets.tickets"
            " ORDER BY number DESC LIMIT %s) t WHERE group_id IS NULL",
            (max(0, (await self.counts())[2]),),
        )
        row = await cur.fetchone()
        return int(row[0]) if row else 0


async def sample_progress(
    rec: Recorder, res: LoadResult, stop: asyncio.Event, out: list[dict[str, Any]]
) -> None:
    """Once a second: requests answered vs. recorded by sla and audit (shows consumer lag)."""
    loop = asyncio.get_running_loop()
    t0 = loop.time()
    for _ in range(100_000):
        try:
            await asyncio.wait_for(stop.wait(), 1.0)
            return
        except TimeoutError:
            pass
        clocks, audit, tickets = await rec.counts()
        out.append(
            {
                "t_s": round(loop.time() - t0, 1),
                "created": res.ok,
                "tickets_rows": tickets,
                "sla": clocks,
                "audit": audit,
            }
        )


# --------------------------------------------------------------------------------------------
# Processes: CPU and memory
# --------------------------------------------------------------------------------------------
def _proc_cpu(p: psutil.Process, with_reaped_children: bool) -> float:
    t = p.cpu_times()
    total = float(t.user + t.system)
    if with_reaped_children:
        total += t.children_user + t.children_system
    return total


def cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    """CPU seconds used so far per process; postgres = postmaster + backends (live and reaped)."""
    out: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            p = psutil.Process(pid)
            if name == "postgres":
                total = _proc_cpu(p, True)
                for c in p.children(recursive=True):
                    with contextlib.suppress(psutil.Error):
                        total += _proc_cpu(c, False)
            else:
                total = _proc_cpu(p, False)
            out[name] = total
        except psutil.Error:
            continue
    out["bench (load generator)"] = _proc_cpu(psutil.Process(), False)
    return out


def cpu_delta(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, Any]:
    """Percent of one core per process over the interval (200% = both cores of a 2-core box)."""
    pct = {
        k: round(100 * (after[k] - before.get(k, 0.0)) / seconds, 1) for k in after if seconds > 0
    }
    return dict(sorted(pct.items(), key=lambda kv: -kv[1]))


Machine = tuple[float, float, float]


def machine_busy() -> Machine:
    """(CPU seconds of processes, of interrupts (loopback networking), wall clock), summed
    over all cores, for the whole machine."""
    t = psutil.cpu_times()
    procs = t.user + t.nice + t.system + getattr(t, "steal", 0.0)
    irq = getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)
    return procs, irq, time.monotonic()


def outside_share(m0: Machine, m1: Machine, ours_cpu_s: float) -> dict[str, float]:
    """How busy the whole machine was (100 = one core), and how much of it was processes
    other than this benchmark and its stack (work of others on a shared machine lowers every
    figure)."""
    wall = max(1e-6, m1[2] - m0[2])
    procs, irq = m1[0] - m0[0], m1[1] - m0[1]
    return {
        "machine_busy_pct": round(100 * (procs + irq) / wall, 1),
        "interrupts_pct": round(100 * irq / wall, 1),
        "outside_stack_pct": round(max(0.0, 100 * (procs - ours_cpu_s) / wall), 1),
        "loadavg_1m": round(os.getloadavg()[0], 2),
    }


def rss_mb(pids: dict[str, int]) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            p = psutil.Process(pid)
            total = p.memory_info().rss
            for c in p.children(recursive=True):
                with contextlib.suppress(psutil.Error):
                    total += c.memory_info().rss
            out[name] = round(total / 2**20, 1)
        except psutil.Error:
            continue
    return out


def pss_mb(pids: dict[str, int]) -> dict[str, float]:
    """Proportional set size: shared pages (PostgreSQL's shared buffers) counted once."""
    out: dict[str, float] = {}
    for name, pid in pids.items():
        try:
            p = psutil.Process(pid)
            procs = [p, *p.children(recursive=True)]
            total = 0
            for c in procs:
                with contextlib.suppress(psutil.Error):
                    total += getattr(c.memory_full_info(), "pss", 0)
            out[name] = round(total / 2**20, 1)
        except psutil.Error:
            continue
    return out


# --------------------------------------------------------------------------------------------
# pgbench: the database's own ceiling for this transaction shape
# --------------------------------------------------------------------------------------------
def sample_event_body(title: str) -> bytes:
    """A real serialized tickets.ticket.created envelope, so outbox rows have the real size."""
    try:
        from helpdesk.events.v1 import tickets_pb2
        from kit.events.envelope import new_event
    except ImportError:
        return bytes(420)
    tid = uuid.uuid4()
    payload = tickets_pb2.TicketCreated(
        ticket_id=str(tid),
        number="HD-000123",
        title=title,
        category_id=str(uuid.uuid4()),
        priority="normal",
        requester_id=str(uuid.uuid4()),
        group_id=str(uuid.uuid4()),
        assignee_id="",
        status="new",
        department_id=str(uuid.uuid4()),
    )
    env = new_event(
        "tickets.ticket.created",
        tid,
        payload,
        actor_id=uuid.uuid4(),
        actor_roles=["requester"],
    )
    env.trace_context["traceparent"] = TRACEPARENT
    return bytes(env.SerializeToString())


def pgbench_script(claims: dict[str, Any], category_id: str, group_id: str | None) -> str:
    body_hex = sample_event_body(TITLE).hex()
    dept = claims.get("dept") or None

    def lit(v: str | None) -> str:
        return "NULL" if v is None else f"'{v}'"

    # Same statements as tickets.service.create_ticket: INSERT ... ON CONFLICT DO NOTHING
    # RETURNING *, then the outbox row, in one transaction.
    return (
        "BEGIN;\n"
        f"INSERT INTO {SCRATCH}.tickets (id, title, description, category_id, priority, status, "
        "requester_id, department_id, group_id, assignee_id, idempotency_key) VALUES ("
        f"uuidv7(), '{TITLE}', '{DESCRIPTION}', '{category_id}', 'normal', 'new', "
        f"'{claims['sub']}', {lit(dept)}, {lit(group_id)}, NULL, "
        "replace(gen_random_uuid()::text, '-', '')) "
        "ON CONFLICT (requester_id, idempotency_key) DO NOTHING RETURNING *;\n"
        f"INSERT INTO {SCRATCH}.outbox (event_id, subject, body, traceparent) VALUES ("
        f"uuidv7(), 'tickets.ticket.created', '\\x{body_hex}'::bytea, '{TRACEPARENT}');\n"
        "END;\n"
    )


def create_scratch(admin_db_url: str) -> None:
    with psycopg.connect(admin_db_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCRATCH} CASCADE")
        conn.execute(f"CREATE SCHEMA {SCRATCH}")
        conn.execute(f"CREATE TABLE {SCRATCH}.tickets (LIKE tickets.tickets INCLUDING ALL)")
        conn.execute(f"CREATE TABLE {SCRATCH}.outbox (LIKE tickets.outbox INCLUDING ALL)")
        # LIKE copies a serial column's default, which would draw from the real outbox's
        # sequence: give the scratch table its own.
        rows = conn.execute(
            "SELECT a.attname FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum "
            "WHERE d.adrelid = %s::regclass AND pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval%%'",
            (f"{SCRATCH}.outbox",),
        ).fetchall()
        for (col,) in rows:
            conn.execute(f"CREATE SEQUENCE {SCRATCH}.outbox_{col}_seq")
            conn.execute(
                f"ALTER TABLE {SCRATCH}.outbox ALTER COLUMN {col} "
                f"SET DEFAULT nextval('{SCRATCH}.outbox_{col}_seq')"
            )


def drop_scratch(admin_db_url: str) -> None:
    with psycopg.connect(admin_db_url, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {SCRATCH} CASCADE")
        conn.execute("CHECKPOINT")


def run_pgbench(
    stack: Any, script: str, clients: int, seconds: int, workdir: Path, protocol: str
) -> dict[str, Any]:
    path = workdir / "create_path.pgbench.sql"
    path.write_text(script)
    threads = max(1, min(clients, os.cpu_count() or 1))
    cmd = [
        stack.postgres.binary("pgbench"),
        "-h", HOST, "-p", str(stack.pg_port), "-U", "postgres",
        "-n", "-c", str(clients), "-j", str(threads), "-T", str(seconds), "-M", protocol,
        "-f", str(path), "helpdesk",
    ]  # fmt: skip
    env = dict(os.environ, PGPASSWORD=stack.secrets["postgres"])
    started = time.monotonic()
    proc = subprocess.run(
        cmd, env=env, capture_output=True, text=True, timeout=seconds + 120, check=False
    )
    elapsed = time.monotonic() - started
    out = proc.stdout + proc.stderr
    if proc.returncode != 0:
        raise RuntimeError(f"pgbench failed ({proc.returncode}):\n{out[-3000:]}")
    tps = re.search(r"tps = ([\d.]+) \(without initial connection time\)", out)
    lat = re.search(r"latency average = ([\d.]+) ms", out)
    failed = re.search(r"number of failed transactions: (\d+)", out)
    done = re.search(r"number of transactions actually processed: (\d+)", out)
    return {
        "tps": float(tps.group(1)) if tps else None,
        "latency_avg_ms": float(lat.group(1)) if lat else None,
        "transactions": int(done.group(1)) if done else None,
        "failed": int(failed.group(1)) if failed else None,
        "elapsed_s": round(elapsed, 1),
        "command": " ".join(cmd[1:]),
        "threads": threads,
    }


# --------------------------------------------------------------------------------------------
# The run
# --------------------------------------------------------------------------------------------
def jwt_claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return claims


def git(*args: str) -> str:
    try:
        return subprocess.run(
            ["git", *args], cwd=ROOT, capture_output=True, text=True, timeout=10, check=False
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


async def measure(stack: Any, args: argparse.Namespace, report: dict[str, Any]) -> None:
    tickets_port = stack.services["tickets"].http_port
    identity = stack.services["identity"].url
    routing = stack.services["routing"].url
    admin_db = stack.admin_url().rsplit("/", 1)[0] + "/helpdesk"

    async with httpx.AsyncClient(timeout=15) as client:
        resp = await client.post(
            f"{identity}/api/v1/auth/token",
            data={"username": "employee", "password": stack.demo_password},
        )
        resp.raise_for_status()
        token = resp.json()["access_token"]
        resp = await client.get(
            f"{routing}/api/v1/categories", headers={"Authorization": f"Bearer {token}"}
        )
        resp.raise_for_status()
        cats = resp.json()["items"]
    category_ids = [c["id"] for c in cats]
    reqs = CreateRequests(tickets_port, token, category_ids)

    rec = Recorder(admin_db)
    await rec.open()
    try:
        # Warm-up: token cache, JWKS, category cache, gRPC channel, prepared statements, streams.
        await rec.rebase()
        warm = await closed_loop(tickets_port, reqs, 8, args.warmup_seconds)
        when, _, _ = await rec.wait_recorded(warm.ok, 60)
        if when is None:
            raise RuntimeError("warm-up tickets were never recorded by sla and audit")
        if warm.ok == 0:
            raise RuntimeError(f"warm-up created no ticket: {warm.error_samples}")
        report["warmup"] = {"created": warm.ok, "errors": warm.errors}

        # 1. The database's own ceiling for this transaction shape.
        create_scratch(admin_db)
        try:
            script = pgbench_script(jwt_claims(token), category_ids[0], cats[0].get("group_id"))
            pids = stack.pids()
            me = psutil.Process()
            c0, m0, k0 = cpu_snapshot(pids), machine_busy(), me.cpu_times()
            pg = await asyncio.to_thread(
                run_pgbench,
                stack,
                script,
                args.pgbench_clients,
                args.pgbench_seconds,
                stack.data,
                args.pgbench_protocol,
            )
            # pgbench's backends exit with it: let the postmaster reap them all first, or the
            # CPU of a backend caught between exit and reaping would be counted nowhere.
            await asyncio.sleep(1.0)
            c1, m1, k1 = cpu_snapshot(pids), machine_busy(), me.cpu_times()
            pgbench_cpu = (k1.children_user + k1.children_system) - (
                k0.children_user + k0.children_system
            )
            ours = sum(c1[k] - c0.get(k, 0.0) for k in c1) + pgbench_cpu
            wall = m1[2] - m0[2]
            pg["cpu_pct_of_one_core"] = {
                "postgres": round(100 * (c1["postgres"] - c0["postgres"]) / wall, 1),
                "pgbench": round(100 * pgbench_cpu / wall, 1),
            }
            pg["machine"] = outside_share(m0, m1, ours)
        finally:
            drop_scratch(admin_db)
        report["pgbench"] = pg
        report["pg_limit_tps"] = round(pg["tps"], 1) if pg["tps"] else None
        print(f"pgbench: {report['pg_limit_tps']} tx/s", flush=True)
        await asyncio.sleep(2)

        # 2. Maximum create rate, counted when sla and audit have both recorded the ticket.
        await rec.rebase()
        pids = stack.pids()
        stop = asyncio.Event()
        timeline: list[dict[str, Any]] = []
        cpu0, mach0 = cpu_snapshot(pids), machine_busy()
        db0 = await rec.db_stats()
        res = LoadResult()
        loop = asyncio.get_running_loop()
        t_cpu0 = loop.time()
        load = asyncio.create_task(closed_loop(tickets_port, reqs, args.clients, args.seconds, res))
        sampler = asyncio.create_task(sample_progress(rec, res, stop, timeline))
        await load
        t_load_end = loop.time()
        cpu1, mach1 = cpu_snapshot(pids), machine_busy()
        stop.set()
        await sampler
        clocks_at_end, audit_at_end, _ = await rec.counts()
        recorded_at, clocks, audit = await rec.wait_recorded(res.ok, args.record_timeout)
        cpu2 = cpu_snapshot(pids)
        t_cpu2 = loop.time()
        await asyncio.sleep(1.0)  # backends report their counters at most once a second
        db1 = await rec.db_stats()
        unrouted = await rec.unrouted()
        total = res.ok + res.errors
        span = (recorded_at - res.first_request) if recorded_at is not None else None
        create_tps = res.ok / span if span else None
        report["create_tps"] = round(create_tps, 1) if create_tps else None
        report["create"] = {
            "clients": args.clients,
            "load_seconds": round(t_load_end - res.first_request, 2),
            "created": res.ok,
            "errors": res.errors,
            "statuses": res.statuses,
            "error_samples": res.error_samples,
            "answered_rate_per_s": round(res.ok / (t_load_end - res.first_request), 1),
            "recorded_by_sla_and_audit": recorded_at is not None,
            "recorded_after_load_end_s": (
                round(recorded_at - t_load_end, 2) if recorded_at is not None else None
            ),
            "sla_recorded_at_load_end": clocks_at_end,
            "audit_recorded_at_load_end": audit_at_end,
            "sla_recorded": clocks,
            "audit_recorded": audit,
            "first_request_to_all_recorded_s": round(span, 2) if span else None,
            "unrouted_tickets": unrouted,
            "db_sessions_opened": db1["sessions"] - db0["sessions"],
            "db_commits_per_ticket": (
                round((db1["commits"] - db0["commits"]) / res.ok, 2) if res.ok else None
            ),
            "db_rollbacks": db1["rollbacks"] - db0["rollbacks"],
            "closed_loop_latency": latency_summary(res.latencies),
            "connections_opened": res.connections_opened,
            "resent_on_closed_keepalive": res.resent,
            "cpu_pct_of_one_core_during_load": cpu_delta(cpu0, cpu1, t_load_end - t_cpu0),
            "cpu_pct_of_one_core_load_plus_drain": cpu_delta(cpu0, cpu2, t_cpu2 - t_cpu0),
            "cpu_ms_per_ticket": {
                k: round(1000 * (cpu2[k] - cpu0.get(k, 0.0)) / res.ok, 2)
                for k in sorted(cpu2, key=lambda k: cpu0.get(k, 0.0) - cpu2[k])
            }
            if res.ok
            else {},
            "machine_during_load": outside_share(
                mach0, mach1, sum(cpu1[k] - cpu0.get(k, 0.0) for k in cpu1)
            ),
            "timeline": timeline,
        }
        report["errors"] = res.errors
        report["requests"] = total
        if recorded_at is None:
            report["failure"] = (
                f"sla/audit recorded {clocks}/{audit} of {res.ok} tickets within "
                f"{args.record_timeout} s after the load"
            )
            return
        print(
            f"create: {res.ok} created, {res.errors} errors, {report['create_tps']} tickets/s "
            "recorded by sla and audit",
            flush=True,
        )
        await asyncio.sleep(2)

        # 3. Latency at half the maximum rate, open loop.
        rate = max(1.0, (create_tps or 2.0) / 2)
        await rec.rebase()
        cpu0, mach0, db0 = cpu_snapshot(pids), machine_busy(), await rec.db_stats()
        lat, lat_info = await open_loop(tickets_port, reqs, rate, args.latency_seconds)
        cpu1, mach1 = cpu_snapshot(pids), machine_busy()
        lat_info["machine_during_load"] = outside_share(
            mach0, mach1, sum(cpu1[k] - cpu0.get(k, 0.0) for k in cpu1)
        )
        lat_info["cpu_pct_of_one_core_during_load"] = cpu_delta(cpu0, cpu1, mach1[2] - mach0[2])
        drained_at, lclocks, laudit = await rec.wait_recorded(lat.ok, args.record_timeout)
        cpu2 = cpu_snapshot(pids)
        await asyncio.sleep(1.0)
        db1 = await rec.db_stats()
        if lat.ok:
            lat_info["cpu_ms_per_ticket"] = {
                k: round(1000 * (cpu2[k] - cpu0.get(k, 0.0)) / lat.ok, 2)
                for k in sorted(cpu2, key=lambda k: cpu0.get(k, 0.0) - cpu2[k])
            }
            lat_info["db_sessions_opened"] = db1["sessions"] - db0["sessions"]
            lat_info["db_commits_per_ticket"] = round((db1["commits"] - db0["commits"]) / lat.ok, 2)
        report["create_p50_ms"] = ms(percentile(lat.latencies, 50))
        report["create_p99_ms"] = ms(percentile(lat.latencies, 99))
        report["latency"] = {
            "rate_per_s": round(rate, 1),
            "seconds": args.latency_seconds,
            "created": lat.ok,
            "errors": lat.errors,
            "statuses": lat.statuses,
            "error_samples": lat.error_samples,
            **latency_summary(lat.latencies),
            **lat_info,
            "recorded_by_sla_and_audit": drained_at is not None,
            "recorded_after_load_end_s": (
                round(drained_at - lat.last_response, 2) if drained_at is not None else None
            ),
        }
        report["errors"] += lat.errors
        report["requests"] += lat.ok + lat.errors
        if drained_at is None:
            report["failure"] = (
                f"latency phase: sla/audit recorded {lclocks}/{laudit} of {lat.ok} tickets"
            )
            return

        # 4. Memory at idle after the run.
        await asyncio.sleep(args.idle_seconds)
        report["rss_mb"] = rss_mb(stack.pids())
        report["pss_mb"] = pss_mb(stack.pids())
    finally:
        await rec.close()


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=60, help="max-rate phase length (60)")
    ap.add_argument("--clients", type=int, default=32, help="closed-loop clients (32)")
    ap.add_argument("--pgbench-seconds", type=int, default=None, help="default min(20, seconds)")
    ap.add_argument("--pgbench-clients", type=int, default=16)
    ap.add_argument(
        "--pgbench-protocol",
        choices=("prepared", "extended", "simple"),
        default="prepared",
        help="prepared (default) like the services: psycopg prepares repeated statements",
    )
    ap.add_argument("--latency-seconds", type=float, default=None, help="default min(20, seconds)")
    ap.add_argument("--warmup-seconds", type=float, default=3)
    ap.add_argument("--record-timeout", type=float, default=None, help="default max(60, 3*seconds)")
    ap.add_argument("--idle-seconds", type=float, default=3, help="settle time before RSS")
    ap.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = ap.parse_args(argv)
    if args.pgbench_seconds is None:
        args.pgbench_seconds = int(max(1, min(20, args.seconds)))
    if args.latency_seconds is None:
        args.latency_seconds = max(1.0, min(20.0, args.seconds))
    if args.record_timeout is None:
        args.record_timeout = max(60.0, 3 * args.seconds)
    return args


def summary(report: dict[str, Any]) -> str:
    c = report.get("create", {})
    lines = [
        f"create path benchmark ({report['cpu_count']} CPUs, commit {report['git_commit'][:10]})",
        f"  pg_limit_tps        {report.get('pg_limit_tps')} tx/s (pgbench, ticket+outbox insert)",
        f"  create_tps          {report.get('create_tps')} tickets/s recorded by sla and audit "
        f"({c.get('created')} in {c.get('first_request_to_all_recorded_s')} s, "
        f"answered at {c.get('answered_rate_per_s')}/s)",
        f"  create_vs_pg_limit  {report.get('create_vs_pg_limit')}",
        f"  latency @ {report.get('latency', {}).get('rate_per_s')}/s  "
        f"p50 {report.get('create_p50_ms')} ms, p99 {report.get('create_p99_ms')} ms",
        f"  errors              {report.get('errors')} of {report.get('requests')} requests",
    ]
    if c.get("cpu_pct_of_one_core_during_load"):
        top = list(c["cpu_pct_of_one_core_during_load"].items())[:8]
        lines.append("  CPU during load     " + ", ".join(f"{k} {v}%" for k, v in top))
    if report.get("rss_mb"):
        lines.append(
            "  RSS at idle (MB)    " + ", ".join(f"{k} {v}" for k, v in report["rss_mb"].items())
        )
    busy = [
        (phase, m["outside_stack_pct"])
        for phase, m in (
            ("pgbench", report.get("pgbench", {}).get("machine")),
            ("create", c.get("machine_during_load")),
            ("latency", report.get("latency", {}).get("machine_during_load")),
        )
        if m and m["outside_stack_pct"] > 20
    ]
    if busy:
        lines.append(
            "  WARNING: other work on this machine used "
            + ", ".join(f"{v}% of a core during {k}" for k, v in busy)
            + ": figures are low"
        )
    if report.get("failure"):
        lines.append(f"  FAILED: {report['failure']}")
    return "\n".join(lines)


def _terminate(signum: int, frame: object) -> None:
    # SIGTERM (e.g. a CI timeout) unwinds like Ctrl-C, so that the stack is stopped.
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    data = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    if not os.environ.get("XDG_RUNTIME_DIR"):
        run_dir = data / "run"
        run_dir.mkdir(mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(run_dir)
    from stack.launcher import Stack, StackConfig
    from stack.ports import free_port

    report: dict[str, Any] = {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": git("rev-parse", "HEAD"),
        "git_dirty": bool(git("status", "--porcelain", "--untracked-files=no")),
        "cpu_count": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "python": sys.version.split()[0],
        "parameters": {
            "create_seconds": args.seconds,
            "create_clients": args.clients,
            "warmup_seconds": args.warmup_seconds,
            "pgbench_seconds": args.pgbench_seconds,
            "pgbench_clients": args.pgbench_clients,
            "pgbench_flags": f"-n -M {args.pgbench_protocol}, synchronous_commit on",
            "latency_seconds": args.latency_seconds,
            "latency_rate": "create_tps / 2, fixed interval, open loop",
            "record_timeout_s": args.record_timeout,
            "request_timeout_s": REQUEST_TIMEOUT_S,
            "endpoint": "tickets service's own HTTP port, POST /api/v1/tickets",
            "request": "employee token, 7 categories x 3 priorities, fresh Idempotency-Key",
            "client": "asyncio streams, HTTP/1.1 keep-alive"
            + (", uvloop" if uvloop is not None else ""),
        },
        "errors": 0,
        "requests": 0,
    }
    durations: dict[str, float] = {}
    report["durations_s"] = durations
    stack = Stack(
        StackConfig(
            data_dir=data, web_port=free_port(), demo_password="bench-demo-" + uuid.uuid4().hex[:8]
        )
    )
    t0 = time.monotonic()
    failed = False
    try:
        print(f"starting the stack in {data} ...", flush=True)
        stack.start(timeout=180)
        durations["stack_start"] = round(time.monotonic() - t0, 1)
        t1 = time.monotonic()
        runner = asyncio.run if uvloop is None else uvloop.run
        runner(measure(stack, args, report))
        durations["measure"] = round(time.monotonic() - t1, 1)
    except BaseException as exc:
        failed = isinstance(exc, Exception)  # an interrupt keeps nothing behind
        report["failure"] = report.get("failure") or f"{type(exc).__name__}: {exc}"
        if not isinstance(exc, Exception):
            raise
    finally:
        t2 = time.monotonic()
        stack.stop()
        durations["stack_stop"] = round(time.monotonic() - t2, 1)
        durations["total"] = round(time.monotonic() - t0, 1)
        if report["requests"] and report["errors"] / report["requests"] > ERROR_LIMIT:
            report["failure"] = report.get("failure") or (
                f"{report['errors']} of {report['requests']} requests failed (> {ERROR_LIMIT:.0%})"
            )
        if failed or report.get("failure"):
            logs = data / "log"
            report["logs_kept_in"] = str(logs)
        else:
            shutil.rmtree(data, ignore_errors=True)
    if report.get("create_tps") and report.get("pg_limit_tps"):
        report["create_vs_pg_limit"] = round(report["create_tps"] / report["pg_limit_tps"], 3)
    ordered: dict[str, Any] = {
        k: report.pop(k)
        for k in (
            "pg_limit_tps", "create_tps", "create_vs_pg_limit", "create_p50_ms", "create_p99_ms",
            "rss_mb", "errors", "requests", "timestamp", "git_commit", "git_dirty", "cpu_count",
        )
        if k in report
    }  # fmt: skip
    ordered.update(report)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(ordered, indent=2) + "\n")
    tmp.replace(args.output)
    print(summary(ordered))
    print(f"written to {args.output}")
    return 1 if ordered.get("failure") else 0


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return ""


if __name__ == "__main__":
    sys.exit(main())
