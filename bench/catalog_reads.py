"""Catalogue read throughput under gunicorn with auth, rate limiting, JSON logs and metrics ON.

Starts the service with `gunicorn.conf.py`'s defaults on 127.0.0.1 (fresh instance folder,
SQLite, one enterprise account whose limit is high enough not to throttle the run: the limiter
still counts every request and sends its headers), then runs wrk against

  * `GET /api/image-studio/templates` with the bearer token (full 200 body),
  * the same with `If-None-Match: <its ETag>` (the 304 path),
  * `GET /healthz` (public, no token, a database ping),

and prints, for each of `--runs` rounds and as medians: requests/s, p50/p99 latency, the
status codes (non-2xx, and anything but the expected 200/304), the workers' CPU time per
request, and how busy the machine was just before (someone else's load lowers the figures).
Bounded: every wrk run has its own timeout, and gunicorn is stopped at the end; its log is
kept (and its path printed) only when it holds an error.

    .venv/bin/python bench/catalog_reads.py [--duration 10] [--threads 2] [--connections 32] [--runs 3]
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))
from server import running_service, worker_pids  # noqa: E402

TEMPLATES = "/api/image-studio/templates"

# Each wrk thread counts status codes; `done` sums them and prints one JSON line.
LUA = r"""
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) statuses = {} end
function response(status, headers, body) statuses[status] = (statuses[status] or 0) + 1 end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("statuses")) do
      counts[tostring(status)] = (counts[tostring(status)] or 0) + n
    end
  end
  local parts = {}
  for status, n in pairs(counts) do table.insert(parts, string.format('"%s": %d', status, n)) end
  local errors = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "max_us": %d, ' ..
    '"socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.max,
    errors.connect + errors.read + errors.write + errors.timeout, table.concat(parts, ", ")))
end
"""


def wrk_binary() -> str:
    found = shutil.which("wrk") or ("/usr/bin/wrk" if os.path.exists("/usr/bin/wrk") else None)
    if not found:
        sys.exit("wrk not found: apt-get install -y wrk")
    return found


def run_wrk(url: str, headers: dict[str, str], script: Path, duration: int, threads: int,
            connections: int) -> dict:
    command = [wrk_binary(), f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s",
               "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    done = subprocess.run([*command, url], capture_output=True, text=True, timeout=duration + 30, check=True)
    line = next((row for row in done.stdout.splitlines() if row.startswith("WRK_RESULT ")), None)
    if line is None:
        raise RuntimeError("wrk printed no result:\n" + done.stdout + done.stderr)
    result = json.loads(line.removeprefix("WRK_RESULT "))
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def others_busy_percent(master: int, seconds: float = 1.0) -> float:
    """CPU use of the whole machine over `seconds`, minus this gunicorn's (a worker recycled
    after max_requests boots on CPU): what others are running, in % of all cores."""
    def sample() -> list[int]:
        return [int(field) for field in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    before, ours = sample(), workers_cpu_seconds(master)
    time.sleep(seconds)
    delta = [after - first for first, after in zip(before, sample(), strict=True)]
    ours = workers_cpu_seconds(master) - ours
    busy = 1 - (delta[3] + delta[4]) / max(sum(delta), 1)
    return max(0.0, 100.0 * (busy - ours / (seconds * (os.cpu_count() or 1))))


def workers_cpu_seconds(master: int) -> float:
    """CPU time (user + system) of all gunicorn workers so far: the live ones, plus those that
    exited (a worker recycled after max_requests), which the master has reaped."""
    def stat(pid: int) -> list[str]:
        try:
            return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            return []
    ticks = sum(int(field) for field in stat(master)[13:15])
    for pid in worker_pids(master):
        ticks += sum(int(field) for field in stat(pid)[11:13])
    return ticks / os.sysconf("SC_CLK_TCK")


def describe(name: str, result: dict, expected: int) -> str:
    unexpected = sum(n for status, n in result["statuses"].items() if int(status) != expected)
    non_2xx = sum(n for status, n in result["statuses"].items() if not 200 <= int(status) < 300)
    return (f"  {name:22s} {result['rps']:8.1f} req/s  p50 {result['p50_us'] / 1000:6.2f} ms  "
            f"p99 {result['p99_us'] / 1000:6.2f} ms  non-2xx {non_2xx}  not-{expected} {unexpected}  "
            f"socket errors {result['socket_errors']}  statuses {result['statuses']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--runs", type=int, default=3, help="rounds over the three endpoints; medians printed")
    args = parser.parse_args()

    # LOG_LEVEL=INFO: the JSON access line per request is written (to the server's log file).
    with running_service({"LOG_LEVEL": "INFO"}) as service, tempfile.TemporaryDirectory() as scratch:
        script = Path(scratch) / "count.lua"
        script.write_text(LUA)
        base, auth = service["base"], {"Authorization": f"Bearer {service['token']}"}
        first = requests.get(base + TEMPLATES, headers=auth, timeout=10)
        first.raise_for_status()
        etag = first.headers.get("ETag")
        limit = first.headers.get("X-RateLimit-Limit")
        print(f"gunicorn -c gunicorn.conf.py: {len(worker_pids(service['pid']))} gthread workers x "
              f"{os.environ.get('GUNICORN_THREADS', '8')} threads on {os.cpu_count()} CPUs; bearer auth, "
              f"rate limit on (X-RateLimit-Limit {limit}), JSON access log at INFO, Prometheus multiprocess")
        print(f"templates body {len(first.content)} bytes, ETag {etag}")
        conditional = {**auth, "If-None-Match": etag or '"no-etag-served"'}
        probe = requests.get(base + TEMPLATES, headers=conditional, timeout=10)
        print(f"If-None-Match probe: {probe.status_code}, {len(probe.content)} body bytes, "
              f"X-RateLimit-Remaining {probe.headers.get('X-RateLimit-Remaining')}")
        cases = [("templates (200)", TEMPLATES, auth, 200),
                 ("templates (304)", TEMPLATES, conditional, 304 if etag else 200),
                 ("healthz", "/healthz", {}, 200)]
        run_wrk(base + TEMPLATES, auth, script, 2, args.threads, args.connections)  # warm-up
        results: dict[str, list[dict]] = {name: [] for name, *_ in cases}
        for round_number in range(1, args.runs + 1):
            print(f"run {round_number}/{args.runs}: wrk -t{args.threads} -c{args.connections} "
                  f"-d{args.duration}s, load average {load_average()}")
            for name, path, headers, expected in cases:
                background = others_busy_percent(service["pid"])
                before = workers_cpu_seconds(service["pid"])
                result = run_wrk(base + path, headers, script, args.duration, args.threads, args.connections)
                spent = workers_cpu_seconds(service["pid"]) - before
                result["cpu_us"] = spent / max(result["requests"], 1) * 1e6
                results[name].append(result)
                print(describe(name, result, expected)
                      + f"  workers {100 * spent / (result['duration_us'] / 1e6):.0f}% CPU, "
                        f"{result['cpu_us']:.0f} us CPU/request (others: {background:.0f}% of the CPUs just before)",
                      flush=True)
        if args.runs > 1:
            print(f"median of {args.runs} runs:")
            for name, *_ in cases:
                runs = results[name]
                print(f"  {name:22s} {statistics.median(r['rps'] for r in runs):8.1f} req/s  "
                      f"p50 {statistics.median(r['p50_us'] for r in runs) / 1000:6.2f} ms  "
                      f"p99 {statistics.median(r['p99_us'] for r in runs) / 1000:6.2f} ms  "
                      f"{statistics.median(r['cpu_us'] for r in runs):5.0f} us CPU/request")
        log = Path(service["instance"]) / "gunicorn.log"
        access_lines, errors = 0, []
        for row in log.open(errors="replace"):
            if '"message": "request"' in row:
                access_lines += 1
            elif '"level": "ERROR"' in row or "Traceback" in row or "[ERROR]" in row:
                errors.append(row.strip())
        print(f"access log lines written: {access_lines}; load average after {load_average()}")
    if errors:
        print(f"{len(errors)} error line(s) in {log}, kept; the first:\n  " + "\n  ".join(e[:2000] for e in errors[:3]))
    else:
        shutil.rmtree(service["instance"], ignore_errors=True)


if __name__ == "__main__":
    main()
