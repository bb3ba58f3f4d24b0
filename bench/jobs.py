"""Asynchronous jobs on RQ under gunicorn: delivery, money and latency, with workers killed.

steady: --jobs Creates of --variations images, provider stability (a threaded fake in a process
of its own answers each image after --delay s), POSTed with `Prefer: respond-async` by 4 client
threads to gunicorn (gunicorn.conf.py, JOBS_BACKEND=rq, a fresh PostgreSQL schema and Redis
queue) and run by --workers `flask jobs worker` processes. A reader process GETs the template
catalogue every 25 ms on a new connection, --idle s before submitting and until the last job
ends (job states are read from the database, not the API). kill: the same, one worker SIGKILLed
every --kill-every s and another started at once. Afterwards every job's document is read once
and the money checked in the database: nothing pending, each job's ledger rows exactly its
reservation, each charge an existing asset and each asset charged once, every slot of a failed
job charged (its image stored) or refunded, the API's credits equal to the ledger's, and
`flask credits show` equal to the allowance minus the charges. Latencies are printed with the
machine's load: compare them only between runs on equally quiet machines.

    .venv/bin/python bench/jobs.py [--jobs 200] [--variations 4] [--delay 2] [--workers 4]
                                   [--kill-every 10] [--part steady|kill|all] [--idle 15]
"""
from __future__ import annotations

import argparse
import functools
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import redis
import requests
import sqlalchemy
from rq import Queue, Worker

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from server import BIN, ROOT, running_service  # noqa: E402

from tests.fakes import stability  # noqa: E402
from tests.fakes.fixtures import KEYS  # noqa: E402

POSTGRES_URL = os.environ.get("IMAGE_STUDIO_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("IMAGE_STUDIO_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
API, GENERATE = "/api/image-studio", "/v2beta/stable-image/generate/"
READ_EVERY, SUBMIT_P50_MS, CATALOGUE_SLACK = 0.025, 30.0, 1.2
# JOBS_HEARTBEAT and JOBS_STALE_AFTER keep their defaults (5 s, 30 s): a killed worker's job is
# noticed at the next sweep of any supervisor, since its pid is gone from this host.
JOBS_ENV = {"JOBS_BACKEND": "rq", "REDIS_URL": REDIS_URL}


class SlowStability(stability.FakeStability):
    """The Stability fake answering each generate after `delay` s, counted in `calls`."""

    def __init__(self, key: str, delay: float, calls):
        super().__init__(key)
        self.delay, self.calls = delay, calls

    def handle(self, request):
        if request.path.startswith(GENERATE):
            with self.calls.get_lock():
                self.calls.value += 1
            time.sleep(self.delay)
        return super().handle(request)

    def _record(self, request) -> None:
        """Nobody reads the request log here: keep the fake's memory flat."""


def serve_fake(delay: float, urls, stop, calls) -> None:
    """The fake, in this child process until `stop`; each image size is drawn once."""
    stability.png_bytes = functools.lru_cache(maxsize=8)(stability.png_bytes)
    with SlowStability(KEYS["stability"], delay, calls) as fake:
        urls.put(fake.url)
        stop.wait()


def read_catalogue(url: str, token: str, samples, stop) -> None:
    """The steady reader: (start, seconds, ok) per GET every READ_EVERY s, then None."""
    headers = {"Authorization": f"Bearer {token}", "Connection": "close"}
    while not stop.is_set():
        started = time.monotonic()
        try:
            ok = requests.get(url, headers=headers, timeout=10).status_code == 200
        except requests.RequestException:
            ok = False
        samples.put((started, time.monotonic() - started, ok))
        stop.wait(max(0.0, READ_EVERY - (time.monotonic() - started)))
    samples.put(None)


class Workers:
    """`flask jobs worker` processes, each in a session of its own, killed and replaced at will."""

    def __init__(self, env: dict, count: int, logs: Path, prefix: str):
        self.env, self.logs, self.prefix, self.started = env, logs, prefix, 0
        self.processes = [self._start() for _ in range(count)]

    def _start(self) -> subprocess.Popen:
        self.started += 1
        name = f"{self.prefix}-w{self.started}"  # the queue's name in it: its Redis keys go with the queue's
        with open(self.logs / f"{name}.log", "wb") as log:
            return subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "jobs", "worker", "--name", name],
                                    cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                    start_new_session=True)

    def wait_registered(self, connection: redis.Redis, queue: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(Worker.all(connection=connection, queue=Queue(queue, connection=connection))) < self.started:
            if any(p.poll() is not None for p in self.processes) or time.monotonic() > deadline:
                raise RuntimeError(f"the workers did not start; see {self.logs}/{self.prefix}-w*.log")
            time.sleep(0.1)

    def replace(self, index: int) -> None:
        """SIGKILL worker `index` and start another in its place at once."""
        os.killpg(self.processes[index].pid, signal.SIGKILL)
        self.processes[index].wait()
        self.processes[index] = self._start()

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)  # RQ's warm shutdown: a running job ends first
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def cpu_ticks() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(n) for n in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return sum(fields) - fields[3] - fields[4], sum(fields)


def submit_all(base: str, token: str, body: dict, count: int,
               clients: int) -> list[tuple[str | None, float]]:
    """POST `count` Creates with Prefer: respond-async from `clients` threads, a session each,
    back to back (a burst: with 4 on 2 cores, requests queue for the CPU)."""
    local, headers = threading.local(), {"Authorization": f"Bearer {token}", "Prefer": "respond-async"}

    def one(_) -> tuple[str | None, float]:
        session = local.__dict__.setdefault("session", requests.Session())
        started = time.perf_counter()
        response = session.post(f"{base}{API}/create", json=body, headers=headers, timeout=60)
        elapsed = time.perf_counter() - started
        return (response.json()["job_id"] if response.status_code == 202 else None), elapsed

    with ThreadPoolExecutor(clients) as pool:
        return list(pool.map(one, range(count)))


def wait_drained(sql, count: int, timeout: float) -> dict[str, int]:
    """Job states once every job has ended, or as they stand at `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        states = dict(sql("select status, count(*) from jobs group by status"))
        if sum(states.get(s, 0) for s in ("succeeded", "failed", "cancelled")) >= count or time.monotonic() > deadline:
            return states
        time.sleep(0.25)


def audit(sql, job_ids: list[str], documents: dict[str, dict]) -> dict:
    """The money, straight from the database, and the API's credits checked against it."""
    jobs = {job.id: job for job in sql("select id, status, progress_total, reservations, items, attempts from jobs")}
    ledger = sql("select id, job_id, outcome, credits, asset_id from ledger where job_id is not null")
    assets = {row.id for row in sql("select id from assets")}
    rows = defaultdict(list)
    for row in ledger:
        rows[row.job_id].append(row)
    charges = Counter(row.asset_id for row in ledger if row.outcome == "charged")
    money = Counter(lost=sum(job_id not in jobs for job_id in job_ids),
                    pending=sum(row.outcome == "pending" for row in ledger),
                    twice=sum(n > 1 for n in charges.values()),
                    no_asset=sum(n for asset, n in charges.items() if asset not in assets),
                    uncharged=len(assets - set(charges)), failed=0)
    for job_id, job in jobs.items():
        mine, credits = rows[job_id], documents.get(job_id, {}).get("credits", {})
        reserved = sorted(i for record in job.reservations for i in record["ids"])
        listed = {item["asset_id"] for item in job.items if item.get("asset_id")}
        money["wrong_rows"] += sorted(r.id for r in mine) != reserved or len(reserved) != job.progress_total
        money["unlisted"] += sum(r.outcome == "charged" and r.asset_id not in listed for r in mine)
        money["requeued"] += job.attempts > 1
        money["failed"] += job.status == "failed"
        money["unrefunded"] += job.status == "failed" and any(r.outcome not in ("charged", "refunded") for r in mine)
        money["failed_whole"] += job.status == "failed" and bool(mine) and all(r.outcome == "charged" for r in mine)
        money["api_differs"] += abs(sum(credits.get(k, 0) for k in ("reserved", "charged", "refunded"))
                                    - sum(r.credits for r in mine)) > 1e-6
    money["charged"] = sum(charges.values())
    spent = sum(row.credits for row in ledger if row.outcome in ("charged", "pending"))
    return {**money, "spent_credits": spent}


def measure(args: argparse.Namespace, kill_every: float | None) -> dict:
    """One part on a fresh schema, queue, fake and server; every process it starts is stopped."""
    tag = uuid.uuid4().hex[:10]
    schema, queue = f"bench_jobs_{tag}", f"bench-jobs-{tag}"
    engine = sqlalchemy.create_engine(POSTGRES_URL, connect_args={"options": f"-csearch_path={schema}"})
    with engine.begin() as connection:
        connection.execute(sqlalchemy.text(f'CREATE SCHEMA "{schema}"'))

    def sql(query: str) -> list:
        with engine.connect() as connection:
            return connection.execute(sqlalchemy.text(query)).fetchall()

    fork = multiprocessing.get_context("fork")  # forked before this process starts any thread
    stop, urls, calls, samples = fork.Event(), fork.Queue(), fork.Value("i", 0), fork.Queue()
    fake = fork.Process(target=serve_fake, args=(args.delay, urls, stop, calls), daemon=True)
    fake.start()
    connection, workers, reader, out = redis.Redis.from_url(REDIS_URL), None, None, {"calls": calls, "kills": []}
    drained, killing = threading.Event(), None
    try:
        env = {**JOBS_ENV, "JOBS_QUEUE": queue, "DATABASE_URL": f"{POSTGRES_URL}?options=-csearch_path%3D{schema}",
               "STABILITY_API_KEY": KEYS["stability"], "STABILITY_API_BASE": urls.get(timeout=30)}
        with running_service(env) as service:
            base, token = service["base"], service["token"]
            workers = Workers(service["env"], args.workers, Path(service["instance"]), queue)
            workers.wait_registered(connection, queue)
            for _ in range(100):  # every web worker: its supervisor, token cache and catalogue cache
                requests.get(f"{base}{API}/templates", timeout=10,
                             headers={"Authorization": f"Bearer {token}", "Connection": "close"})
            reader = fork.Process(target=read_catalogue, args=(f"{base}{API}/templates", token, samples, stop))
            reader.start()
            time.sleep(args.idle)

            def killer() -> None:
                while not drained.wait(kill_every):
                    index = random.randrange(len(workers.processes))
                    pid, at = workers.processes[index].pid, datetime.now(UTC)
                    held = sql(f"select id from jobs where status='running' and holder like '%:{pid}:%'")
                    workers.replace(index)
                    out["kills"].append((at, [row.id for row in held]))

            out.update(started=time.monotonic(), wall=datetime.now(UTC), cpu=cpu_ticks(), load=os.getloadavg()[0])
            if kill_every:
                killing = threading.Thread(target=killer, daemon=True)
                killing.start()
            body = {"prompt": "a lighthouse at dusk", "provider": "stability", "num_variations": args.variations}
            out["submitted"] = submit_all(base, token, body, args.jobs, args.clients)
            out["submitted_at"] = time.monotonic()
            job_ids = [job_id for job_id, _ in out["submitted"] if job_id]
            budget = 120 + 3 * args.jobs * args.delay * -(-args.variations // 10) / args.workers
            out["states"] = wait_drained(sql, len(job_ids), budget)
            drained.set()  # no more kills
            busy, total = cpu_ticks()
            out.update(ended=time.monotonic(), busy=(busy - out["cpu"][0]) / (total - out["cpu"][1]),
                       load_end=os.getloadavg()[0], last=sql("select max(finished_at) from jobs")[0][0])
            stop.set()
            out["reads"] = list(iter(functools.partial(samples.get, timeout=30), None))
            session = requests.Session()
            out["documents"] = {job_id: session.get(f"{base}{API}/jobs/{job_id}", timeout=30, headers={
                "Authorization": f"Bearer {token}"}).json() for job_id in job_ids}
            out["money"] = audit(sql, job_ids, out["documents"])
            out["balance"] = float(subprocess.run(
                [str(BIN / "flask"), "--app", "wsgi", "credits", "show", "bench@example.com"], cwd=ROOT,
                env=service["env"], check=True, capture_output=True, text=True).stdout)
            out["allowance"] = float(service["env"]["CREDITS_ENTERPRISE"])
    finally:
        drained.set()
        stop.set()
        if killing is not None:
            killing.join(timeout=60)  # a replacement it is starting must be stopped too
        if workers is not None:
            workers.stop()
        for process in (reader, fake):
            if process is not None:
                process.join(timeout=5)
                if process.is_alive():
                    process.terminate()
        for key in connection.scan_iter("rq:job:*"):
            if connection.hget(key, "origin") == queue.encode():
                connection.delete(key)
        for key in connection.scan_iter(f"*{queue}*"):
            connection.delete(key)
        engine.dispose()
        with sqlalchemy.create_engine(POSTGRES_URL).begin() as cleanup:
            cleanup.execute(sqlalchemy.text(f'DROP SCHEMA "{schema}" CASCADE'))
    return out


def report(name: str, args: argparse.Namespace, kill_every: float | None, out: dict) -> list[tuple[str, str, bool]]:
    """Print the part's figures; returns its (target, figure, met) rows."""
    money, documents = out["money"], out["documents"]
    submit = [seconds * 1000 for _, seconds in out["submitted"]]
    reads = lambda start, end: [s * 1000 for at, s, ok in out["reads"] if start <= at < end and ok]  # noqa: E731
    idle, busy = reads(0, out["started"]), reads(out["started"], out["ended"])
    burst, after = reads(out["started"], out["submitted_at"]), reads(out["submitted_at"], out["ended"])
    ends = Counter(document.get("status") for document in documents.values())
    succeeded = [document for document in documents.values() if document.get("status") == "succeeded"]
    delivered = sum(document["result"]["total_generated"] for document in succeeded)
    done = sum(document["progress"]["done"] for document in succeeded)
    drain = (out["last"] - out["wall"]).total_seconds() if out["last"] else float("nan")
    expected, owed = args.jobs * args.variations, out["allowance"] - money["spent_credits"]
    noticed = [(datetime.fromisoformat(documents[job_id]["finished_at"]) - at).total_seconds()
               for at, held in out["kills"] for job_id in held if documents[job_id]["status"] == "failed"]
    states = lambda counts: ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))  # noqa: E731
    ms = lambda values: f"{percentile(values, .5):.1f} / {percentile(values, .99):.1f}"  # noqa: E731
    print(f"\n== {name}: {args.jobs} jobs x {args.variations} variations, {args.delay:g} s per image, "
          f"{args.workers} RQ workers, {args.clients} submitting at once"
          + (f", one killed every {kill_every:g} s" if kill_every else ""))
    for label, value in [
        ("machine: load 1 min at start / end, CPU busy", f"{out['load']:.1f} / {out['load_end']:.1f}, "
                                                         f"{out['busy']:.0%} of {os.cpu_count()} cores"),
        ("jobs accepted (202) / submitted", f"{sum(1 for j, _ in out['submitted'] if j)} / {args.jobs}"),
        ("submission p50 / p95 / max (ms)", f"{percentile(submit, .5):.1f} / {percentile(submit, .95):.1f} / "
                                            f"{max(submit):.1f}"),
        ("catalogue idle p50 / p99 (ms), reads", f"{ms(idle)}, {len(idle)}"),
        ("catalogue run  p50 / p99 (ms), reads, errors", f"{ms(busy)}, {len(busy)}, "
                                                         f"{sum(not ok for _, _, ok in out['reads'])}"),
        ("  p50 / p99 while submitting; after", f"{ms(burst)}; {ms(after)}"),
        ("job end states: API / database", f"{states(ends)} / {states(out['states'])}"),
        ("images delivered: results / progress.done", f"{delivered} / {done} of {expected}"),
        ("generate calls at the fake provider", str(out["calls"].value)),
        ("time to drain (s), images/s", f"{drain:.1f}, {delivered / drain:.2f}"),
        ("workers killed (running jobs they held)",
         f"{len(out['kills'])} ({sum(len(held) for _, held in out['kills'])})" if kill_every else "-"),
        ("kill to its job failed: p50 / max (s)",
         f"{percentile(noticed, .5):.1f} / {max(noticed):.1f}" if noticed else "-"),
        ("jobs requeued (attempts > 1)", str(money["requeued"])),
        ("failed jobs' errors", states(Counter((d["error"] or {}).get("detail", "")[:60] for d in documents.values()
                                               if d.get("status") == "failed")) or "-"),
        ("ledger: charged / pending at end", f"{money['charged']} / {money['pending']}"),
        ("ledger: asset charged twice / charge, no asset", f"{money['twice']} / {money['no_asset']}"),
        ("ledger: asset never charged", str(money["uncharged"])),
        ("ledger: jobs whose rows != reservation", str(money["wrong_rows"])),
        ("ledger: charged images missing from the job", str(money["unlisted"])),
        ("failed jobs with a slot not refunded", f"{money['unrefunded']} of {money['failed']}"),
        ("failed jobs with every image charged", str(money["failed_whole"])),
        ("jobs whose API credits != ledger", str(money["api_differs"])),
        ("balance: credits show / allowance - spent", f"{out['balance']:.0f} / {owed:.0f}"),
    ]:
        print(f"  {label:47s} {value}")
    books = (money["lost"] == money["pending"] == money["twice"] == money["no_asset"] == money["uncharged"]
             == money["wrong_rows"] == money["api_differs"] == 0 and abs(out["balance"] - owed) < 1e-6)
    if kill_every:
        return [(f"{name}: every job succeeded or failed, none stuck", states(ends),
                 ends["succeeded"] + ends["failed"] == args.jobs == len(documents)),
                (f"{name}: every failed job's unused credits refunded", f"{money['unrefunded']} not refunded",
                 money["unrefunded"] == 0),
                (f"{name}: no job lost or double-charged, books balance", f"{money['charged']} charged", books)]
    p50, p99 = percentile(idle, .5), percentile(idle, .99)
    return [(f"{name}: all {expected} images delivered", str(delivered), delivered == done == expected),
            (f"{name}: no job lost or double-charged, books balance", f"{money['charged']} charged",
             books and ends["succeeded"] == args.jobs and out["calls"].value == expected),
            (f"{name}: submission p50 < {SUBMIT_P50_MS:g} ms", f"{percentile(submit, .5):.1f} ms",
             percentile(submit, .5) < SUBMIT_P50_MS),
            (f"{name}: catalogue p50 within 20% of idle", f"x{percentile(busy, .5) / p50:.2f}",
             percentile(busy, .5) <= CATALOGUE_SLACK * p50),
            (f"{name}: catalogue p99 within 20% of idle", f"x{percentile(busy, .99) / p99:.2f}",
             percentile(busy, .99) <= CATALOGUE_SLACK * p99)]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--variations", type=int, default=4)
    parser.add_argument("--delay", type=float, default=2.0, help="seconds the fake takes per image")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--kill-every", type=float, default=10.0)
    parser.add_argument("--idle", type=float, default=15.0, help="seconds of catalogue reads before submitting")
    parser.add_argument("--part", choices=("steady", "kill", "all"), default="all")
    parser.add_argument("--clients", type=int, default=4, help="threads submitting the jobs at once")
    args = parser.parse_args()
    parts = [(part, kill) for part, kill in (("steady", None), ("kill", args.kill_every)) if args.part in (part, "all")]
    rows = [row for part, kill in parts for row in report(part, args, kill, measure(args, kill))]
    print("\n== targets")
    for target, figure, met in rows:
        print(f"  {'PASS' if met else 'FAIL'}  {target:58s} {figure}")
    sys.exit(0 if all(met for _, _, met in rows) else 1)
