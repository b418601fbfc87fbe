"""Web load benchmark: 50 signed-in users read Today and vote, against 100,000 papers and 50 profiles.

A real uvicorn server (its own process, multi-user mode, SQLite store) on loopback; an asyncio
httpx client per user: GET its Today page, then vote (up/down/save/dismiss) on one of its papers
through the JSON API, pause ``--think`` seconds, repeat, for ``--duration`` seconds. A writer
process meanwhile does what the daily job does to the store (new candidates, a new digest run
every few seconds). Afterwards every acknowledged vote is looked up in the store: a vote the
server said it kept but the store lacks is lost.

Before the load, one user alone reads Today and votes 100 times each: the latency and server CPU of
a request without queueing, to read the loaded numbers against.

The digests are recorded directly (synthetic picks with reasons), not ranked: this measures the
web layer and the store, not the encoder. The store is built once and cached in benchmarks/.cache.

    python benchmarks/bench_web.py            # the full run: 100,000 papers, 50 users, 2 minutes
    python benchmarks/bench_web.py --quick    # 10,000 papers, 50 users, 20 seconds
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO / "src")]

sys.path[:0] = [str(REPO / "benchmarks"), str(REPO)]

from common import replace_section  # noqa: E402
from cpu import cpu_info, describe  # noqa: E402
from tests import pg_cluster  # noqa: E402

from papersift import accounts  # noqa: E402
from papersift.models import Match, Paper, Recommendation  # noqa: E402
from papersift.store import Store  # noqa: E402

CACHE = REPO / "benchmarks" / ".cache"
RESULTS = REPO / "benchmarks" / "results"
PASSWORD = "benchmark password"
WORDS = (
    "sharpness unlearning pruning diffusion transformer attention robustness privacy federated graph "
    "retrieval alignment reasoning sparsity quantization distillation contrastive kernel bandit causal "
    "vision language speech protein molecule agent planning optimisation generalisation memory scaling"
).split()
PICKS = 20


def _paper(rng: random.Random, n: int, kind: str) -> Paper:
    words = rng.sample(WORDS, 6)
    return Paper(
        title=f"{kind} {n}: {' '.join(words[:4])}",
        abstract=" ".join(rng.choice(WORDS) for _ in range(60)),
        authors=[f"Author {rng.randrange(5000)}", f"Author {rng.randrange(5000)}"],
        ids={"arxiv": f"{2400 + n // 100000}.{n % 100000:05d}", "s2": f"bench{n}"},
        date=f"2026-11-{1 + n % 28:02d}",
    )


def build_store(path: Path, n_papers: int, n_profiles: int) -> None:
    """Candidates are bulk-inserted (they are distinct by construction, so the importer's de-duplication,
    which costs a few ms per paper, is skipped); profiles, accounts and digests go through the library."""
    from sqlalchemy import insert

    from papersift.identity import identity_keys
    from papersift.store import schema as s
    from papersift.store.papers import paper_row

    rng = random.Random(7)
    started = time.perf_counter()
    own_per_profile = 20
    n_candidates = n_papers - n_profiles * own_per_profile
    now = "2026-11-30T06:00:00+00:00"
    with Store(path) as store:
        for start in range(0, n_candidates, 10_000):
            batch = [_paper(rng, i, "Candidate") for i in range(start, min(start + 10_000, n_candidates))]
            with store.transaction() as conn:
                first = start + 1
                conn.execute(
                    insert(s.papers),
                    [
                        {"id": first + i, **paper_row(p), "created_at": now, "updated_at": now}
                        for i, p in enumerate(batch)
                    ],
                )
                conn.execute(
                    insert(s.paper_keys),
                    [{"key": k, "paper_id": first + i} for i, p in enumerate(batch) for k in identity_keys(p)],
                )
                conn.execute(
                    insert(s.candidates),
                    [{"paper_id": first + i, "first_seen": now, "last_seen": now} for i in range(len(batch))],
                )
            print(f"  {start + len(batch)} candidates", file=sys.stderr)
        candidate_ids = list(range(1, n_candidates + 1))
        for p in range(n_profiles):
            name = f"user{p:02d}"
            own = [_paper(rng, n_papers + p * own_per_profile + i, "Own") for i in range(own_per_profile)]
            store.import_papers(own, profile=name)
            user = accounts.add_user(store, name, PASSWORD)
            accounts.claim_profile(store, user, name)
            record_digest(store, name, rng, candidate_ids)
    print(f"  store built in {time.perf_counter() - started:.0f} s", file=sys.stderr)


def record_digest(store: Store, profile: str, rng: random.Random, candidate_ids: list[int]) -> None:
    """A digest as the daily job records it: picks with reasons, interests and relevance."""
    papers = store.papers_by_id(rng.sample(candidate_ids, PICKS))
    own = store.profile_papers(profile)[:2]
    picks = [
        Recommendation(
            rank,
            1.0 - rank / 100,
            paper,
            [Match(o.title, 0.5, ("sharpness",), o.ids) for o in own],
            interest=f"interest {rank % 3}",
            relevance=1.0 - rank / 40,
        )
        for rank, paper in enumerate(papers, start=1)
    ]
    store.record_digest(profile, picks, model_id="bench:synthetic", n_candidates=len(candidate_ids))


def start_server(path: str | Path, port: int) -> subprocess.Popen[bytes]:
    code = (
        "import sys, uvicorn; sys.path.insert(0, {src!r});"
        "from papersift.web import WebSettings, create_app;"
        "app = create_app(WebSettings(store={store!r}, multi_user=True, model='tfidf'));"
        "uvicorn.run(app, host='127.0.0.1', port={port}, log_level='warning', timeout_keep_alive=75)"
    ).format(src=str(REPO / "src"), store=str(path), port=port)
    return subprocess.Popen([sys.executable, "-c", code])


async def wait_until_up(base: str, timeout: float = 60) -> None:
    import httpx

    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while time.monotonic() < deadline:
            try:
                if (await client.get(base + "/login")).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            await asyncio.sleep(0.2)
    raise RuntimeError("the server did not come up")


async def sign_in(base: str, name: str) -> Any:
    """A signed-in client for ``name`` (sign-ins happen before the clock starts: argon2 is slow on purpose)."""
    import httpx

    client = httpx.AsyncClient(base_url=base, timeout=30)
    response = await client.post("/login", data={"username": name, "password": PASSWORD, "next": "/"}, timeout=120)
    if response.status_code != 303:
        raise RuntimeError(f"sign-in of {name} failed: HTTP {response.status_code}")
    return client


def read_today(html: str) -> tuple[str | None, list[int]]:
    """A Today page's CSRF token and the store ids of its papers (what a user's next vote needs)."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', html)
    return (token.group(1) if token else None), [int(x) for x in re.findall(r'data-paper="(\d+)"', html)]


async def user(
    client: Any, name: str, until: float, think: float, stats: dict[str, Any], acked: dict[tuple[str, int], str]
) -> None:
    import httpx

    rng = random.Random(name)
    await asyncio.sleep(rng.uniform(0, think))  # users do not all start in the same millisecond
    while time.monotonic() < until:
        start = time.perf_counter()
        try:
            page = await client.get(f"/p/{name}/today")
        except httpx.HTTPError as exc:
            stats["errors"].append(f"today: {exc!r}")
            continue
        stats["page"].append(time.perf_counter() - start)
        if page.status_code != 200:
            stats["errors"].append(f"today: HTTP {page.status_code}")
            continue
        token, papers = read_today(page.text)
        if not token or not papers:
            stats["errors"].append("today: no papers or no token")
            continue
        paper, rating = rng.choice(papers), rng.choice(["up", "down", "save", "dismiss"])
        start = time.perf_counter()
        try:
            vote = await client.post(
                f"/api/v1/profiles/{name}/ratings",
                json={"paper": paper, "rating": rating},
                headers={"X-CSRF-Token": token},
            )
        except httpx.HTTPError as exc:
            stats["errors"].append(f"vote: {exc!r}")
            continue
        stats["vote"].append(time.perf_counter() - start)
        if vote.status_code == 200:
            acked[(name, paper)] = rating
        else:
            stats["errors"].append(f"vote: HTTP {vote.status_code} {vote.text[:100]}")
        # Reading time, cut at the end of the run (no request starts after it).
        await asyncio.sleep(max(0.0, min(rng.uniform(0, 2 * think), until - time.monotonic())))


async def alone(client: Any, name: str, rounds: int, server_pid: int) -> dict[str, Any]:
    """One user with the server to themself: Today then a vote, ``rounds`` times, one after the other."""
    times: dict[str, list[float]] = {"page": [], "vote": []}
    cpu = {"page": 0.0, "vote": 0.0}
    rng = random.Random(3)
    voted: set[int] = set()
    token: str | None = None
    for _ in range(rounds):
        before, start = cpu_seconds(server_pid), time.perf_counter()
        page = await client.get(f"/p/{name}/today")
        times["page"].append(time.perf_counter() - start)
        cpu["page"] += cpu_seconds(server_pid) - before
        token, papers = read_today(page.text)
        if page.status_code != 200 or not token or not papers:
            raise RuntimeError(f"the baseline user's Today page failed: HTTP {page.status_code}")
        paper = rng.choice(papers)
        voted.add(paper)
        before, start = cpu_seconds(server_pid), time.perf_counter()
        vote = await client.post(
            f"/api/v1/profiles/{name}/ratings",
            json={"paper": paper, "rating": rng.choice(["up", "down"])},
            headers={"X-CSRF-Token": token},
        )
        times["vote"].append(time.perf_counter() - start)
        cpu["vote"] += cpu_seconds(server_pid) - before
        if vote.status_code != 200:
            raise RuntimeError(f"the baseline user's vote failed: HTTP {vote.status_code}")
    for paper in voted:  # undone, so that the loaded run's votes are counted from a clean slate
        headers = {"X-CSRF-Token": token} if token else {}
        await client.delete(f"/api/v1/profiles/{name}/ratings/{paper}", headers=headers)
    return {
        kind: {**quantiles(times[kind]), "server_cpu_ms": round(1000 * cpu[kind] / rounds, 1)}
        for kind in ("page", "vote")
    }


def daily_job(path: str | Path, stop: Any, n_profiles: int, counts: Any) -> None:
    """What `papersift run` does to the store while people read: new candidates, new digest runs.

    Runs in a process of its own, as `papersift run` from a timer does: as a thread of this process
    it would hold the interpreter lock the 50 simulated users need, and their latencies would
    measure the load generator instead of the server."""
    rng = random.Random(11)
    with Store(path) as store:
        candidate_ids = [int(r) for r in store.recent_candidate_ids(5000)]
        n = 10_000_000
        while not stop.is_set():
            store.import_papers([_paper(rng, n + i, "Fresh") for i in range(50)], as_candidates=True)
            n += 50
            record_digest(store, f"user{rng.randrange(n_profiles):02d}", rng, candidate_ids)
            with counts.get_lock():
                counts.value += 1
            stop.wait(2.0)


def postgres_copy(cached: Path, url: str) -> str:
    """The cached SQLite store copied into a fresh schema of the PostgreSQL database ``url``, through
    papersift's own export and import (the export is cached beside the store); the schema's URL."""
    from sqlalchemy import create_engine, text

    from papersift.store.exchange import export_store, import_store

    export = cached.with_suffix(".jsonl")
    if not export.exists():
        with Store(cached) as store, open(export.with_suffix(".partial"), "w", encoding="utf-8") as out:
            export_store(store, out)
        export.with_suffix(".partial").rename(export)
    schema = f"bench_{os.getpid()}_{int(time.time())}"
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    location = f"{url}{'&' if '?' in url else '?'}options=-csearch_path%3D{schema}"
    started = time.perf_counter()
    with Store(location) as store, open(export, "rb") as stream:
        import_store(store, stream, str(export))
    print(f"  copied into PostgreSQL schema {schema} in {time.perf_counter() - started:.0f} s", file=sys.stderr)
    return location


def database_cpu_seconds() -> float:
    """User + system CPU time of every PostgreSQL server process on this machine (Linux)."""
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        if "(postgres)" in text:
            fields = text.rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux), so the cost per request is known on a busy machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def quantiles(values: list[float]) -> dict[str, float]:
    if not values:
        return {"n": 0}
    ordered = sorted(values)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(ordered) * 1000, 1),
        "p95_ms": round(pick(0.95) * 1000, 1),
        "p99_ms": round(pick(0.99) * 1000, 1),
    }


README = REPO / "docs" / "benchmarks.md"  # the results page (the README links it)
README_START, README_END = "<!-- bench-web:start -->", "<!-- bench-web:end -->"
# Issue 12's targets: p95 of a page and of a vote.
PAGE_TARGET_MS, VOTE_TARGET_MS = 150.0, 50.0


def readme_section(r: dict[str, Any], pg: dict[str, Any] | None = None) -> list[str]:
    """The README's load paragraph and table, from results/web.json (and web_postgresql.json, if any)."""
    pages, votes = r["pages"], r["votes"]
    met = pages.get("p95_ms", 1e9) < PAGE_TARGET_MS and votes.get("p95_ms", 1e9) < VOTE_TARGET_MS
    cpu_ms = r["server_cpu_ms_per_request"]
    out = [
        f"Load (`python benchmarks/bench_web.py`, raw numbers in `benchmarks/results/web.json`): {r['users']} "
        f"signed-in users each reading their Today page and voting ({r['think_s']:g} s mean pause) for "
        f"{r['duration_s']:.0f} s against {r['papers']:,} papers and {r['profiles']} profiles, one uvicorn process "
        "on SQLite, while a process plays the daily job (new candidates and a new digest every 2 s, "
        f"{r['daily_job_writes']} writes): **{r['errors']} errors, {r['votes_lost']} lost votes** "
        f"({r['votes_acknowledged']} acknowledged, {r['ratings_in_store']} new ratings in the store), "
        f"{r['requests_per_s']:g} requests/s, {cpu_ms:g} ms of server CPU per request. "
        + (
            f"**Within the targets** (p95 < {PAGE_TARGET_MS:g} ms for a page, < {VOTE_TARGET_MS:g} ms for a vote)."
            if met
            else f"**Not** within the targets (p95 < {PAGE_TARGET_MS:g} ms for a page, < {VOTE_TARGET_MS:g} ms "
            "for a vote)."
        ),
        "",
        "| request | users | p50 | p95 | p99 | server CPU per request |",
        "|---|---|---|---|---|---|",
    ]
    alone = r.get("alone") or {}
    for kind, loaded in (("page", pages), ("vote", votes)):
        label = "Today page" if kind == "page" else "vote (JSON API)"
        if kind in alone:
            a = alone[kind]
            out.append(
                f"| {label} | 1, alone | {a['p50_ms']:.1f} ms | {a['p95_ms']:.1f} ms | {a['p99_ms']:.1f} ms "
                f"| {a['server_cpu_ms']:g} ms |"
            )
        out.append(
            f"| {label} | {r['users']} | {loaded.get('p50_ms', 0):.1f} ms | **{loaded.get('p95_ms', 0):.1f} ms** "
            f"| {loaded.get('p99_ms', 0):.1f} ms | {cpu_ms:g} ms (both kinds) |"
        )
        if pg is not None:
            on_pg = pg["pages" if kind == "page" else "votes"]
            out.append(
                f"| {label} | {pg['users']}, PostgreSQL | {on_pg.get('p50_ms', 0):.1f} ms "
                f"| **{on_pg.get('p95_ms', 0):.1f} ms** | {on_pg.get('p99_ms', 0):.1f} ms "
                f"| {pg['server_cpu_ms_per_request']:g} ms + {pg['database_cpu_ms_per_request']:g} ms in PostgreSQL |"
            )
    out.append("")
    if pg is not None:
        pg_met = pg["pages"].get("p95_ms", 1e9) < PAGE_TARGET_MS and pg["votes"].get("p95_ms", 1e9) < VOTE_TARGET_MS
        out += [
            f"On PostgreSQL (`python benchmarks/bench_web.py --postgres`: a throw-away local cluster, started as "
            "the tests start theirs, with fsync and synchronous commit off, so a commit costs no disk flush; the "
            f"same store copied in by `papersift export`/`import`, {pg['duration_s']:.0f} s, {pg['daily_job_writes']} "
            f"daily-job writes): **{pg['errors']} errors, {pg['votes_lost']} lost votes** "
            f"({pg['votes_acknowledged']} acknowledged), "
            + ("within the targets." if pg_met else "**not** within the targets."),
            "",
        ]
    cpu = r.get("cpu")
    if cpu:
        out.append(f"CPU: {describe(cpu)}. The server, the daily job and the 50 simulated users share these cores.")
    if r["load_average"] > r["cpus"]:
        capacity = 1000 / cpu_ms if cpu_ms else 0
        out.append(
            f"The machine was busy ({r['cpus']} cores, load average {r['load_average']:g} during the run), so "
            f"the latencies measure the queue for a core more than the server; at {cpu_ms:g} ms per request one "
            f"free core serves about {capacity:.0f} requests/s (the users asked {r['requests_per_s']:g}/s)."
        )
    return out


def update_readme(readme: Path = README) -> bool:
    """Rewrite the README's load paragraph from results/web.json; False if either is missing."""
    results = RESULTS / "web.json"
    if not results.is_file():
        return False
    on_pg = RESULTS / "web_postgresql.json"
    pg = json.loads(on_pg.read_text(encoding="utf-8")) if on_pg.is_file() else None
    body = "\n".join(readme_section(json.loads(results.read_text(encoding="utf-8")), pg))
    return replace_section(readme, README_START, README_END, body + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10,000 papers for 20 seconds.")
    parser.add_argument("--papers", type=int, default=None)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=None, help="Seconds of load (default 120; --quick 20).")
    parser.add_argument(
        "--think", type=float, default=5.0, help="Mean pause between one user's votes, reading time (s)."
    )
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--alone", type=int, default=100, help="Rounds of the one-user baseline before the load.")
    parser.add_argument(
        "--postgres",
        nargs="?",
        const="auto",
        default=None,
        metavar="URL",
        help="Run on PostgreSQL: URL, else $PAPERSIFT_TEST_DATABASE_URL, else a throw-away cluster on loopback "
        "(tests/pg_cluster.py). The SQLite store is copied into a fresh schema by papersift's export/import.",
    )
    args = parser.parse_args()
    n_papers = args.papers or (10_000 if args.quick else 100_000)
    duration = args.duration or (20.0 if args.quick else 120.0)
    CACHE.mkdir(parents=True, exist_ok=True)
    cached = CACHE / f"bench_web_{n_papers}_{args.users}.db"
    if not cached.exists():
        print(f"building a store with {n_papers} papers and {args.users} profiles...", file=sys.stderr)
        tmp = cached.with_suffix(".building")
        tmp.unlink(missing_ok=True)
        build_store(tmp, n_papers, args.users)
        tmp.rename(cached)
    cluster = None
    if args.postgres:
        url = os.environ.get("PAPERSIFT_TEST_DATABASE_URL") if args.postgres == "auto" else args.postgres
        if not url:
            cluster = Path(tempfile.mkdtemp(prefix="papersift-bench-pg-"))
            url = pg_cluster.start(cluster)
        work: str | Path = postgres_copy(cached, url)
    else:
        work = CACHE / "bench_web_run.db"
        for suffix in ("", "-wal", "-shm"):
            Path(str(work) + suffix).unlink(missing_ok=True)
        shutil.copyfile(cached, work)
    server = start_server(work, args.port)
    baseline: dict[str, Any] = {}
    counted: dict[str, int] = {}
    stats: dict[str, Any] = {"page": [], "vote": [], "errors": []}
    acked: dict[tuple[str, int], str] = {}
    counts = multiprocessing.Value("i", 0)
    cpu: dict[str, float] = {}
    stop = multiprocessing.Event()
    writer = multiprocessing.Process(target=daily_job, args=(work, stop, args.users, counts), daemon=True)
    try:
        base = f"http://127.0.0.1:{args.port}"
        asyncio.run(wait_until_up(base))

        async def everyone() -> float:
            names = [f"user{i:02d}" for i in range(args.users)]
            clients = [await sign_in(base, n) for n in names]
            baseline.update(await alone(clients[0], names[0], args.alone, server.pid))
            with Store(work) as store:
                counted["before"] = store.count_ratings()
            writer.start()
            started = time.monotonic()
            cpu["start"] = cpu_seconds(server.pid)
            cpu["db_start"] = database_cpu_seconds()
            until = started + duration
            try:
                await asyncio.gather(
                    *(user(c, n, until, args.think, stats, acked) for c, n in zip(clients, names, strict=True))
                )
            finally:
                for c in clients:
                    await c.aclose()
            cpu["end"] = cpu_seconds(server.pid)
            cpu["db_end"] = database_cpu_seconds()
            return time.monotonic() - started

        elapsed = asyncio.run(everyone())
        with Store(work) as store:
            lost = [key for key, rating in acked.items() if store.ratings_for(key[0], [key[1]]).get(key[1]) != rating]
            votes_after = store.count_ratings()
    finally:
        stop.set()
        writer.join(timeout=30)
        server.terminate()
        server.wait(timeout=30)
        if cluster is not None:
            pg_cluster.stop(cluster)
            shutil.rmtree(cluster, ignore_errors=True)
    n_requests = max(1, len(stats["page"]) + len(stats["vote"]))
    result = {
        "papers": n_papers,
        "profiles": args.users,
        "users": args.users,
        "duration_s": round(elapsed, 1),
        "think_s": args.think,
        "pages": quantiles(stats["page"]),
        "votes": quantiles(stats["vote"]),
        "requests_per_s": round((len(stats["page"]) + len(stats["vote"])) / elapsed, 1),
        "server_cpu_ms_per_request": round(1000 * (cpu["end"] - cpu["start"]) / n_requests, 1),
        "database": "postgresql" if args.postgres else "sqlite",
        # PostgreSQL's own processes (all of them on this machine, the daily job's backend included).
        "database_cpu_ms_per_request": round(1000 * (cpu["db_end"] - cpu["db_start"]) / n_requests, 1)
        if args.postgres
        else None,
        "errors": len(stats["errors"]),
        "error_examples": stats["errors"][:5],
        "votes_acknowledged": len(acked),
        "votes_lost": len(lost),
        "ratings_in_store": votes_after - counted["before"],
        "daily_job_writes": counts.value,
        # The machine is shared: the 1-minute load average during the run says how much CPU the server had.
        "cpus": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 1),
        "cpu": cpu_info(),
        "alone": baseline,
    }
    print(json.dumps(result, indent=2))
    if not args.quick and args.papers is None:
        RESULTS.mkdir(parents=True, exist_ok=True)
        name = "web_postgresql.json" if args.postgres else "web.json"
        (RESULTS / name).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        update_readme()


if __name__ == "__main__":
    main()
