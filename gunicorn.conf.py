"""gunicorn settings, each overridable from the environment.

gthread workers: provider calls are long I/O waits (sync Stability calls take 3-34 s),
so each worker serves several requests on threads while others wait.
"""
import ctypes
import multiprocessing
import os

# numpy's BLAS would spin extra threads per worker for no gain (image math here is not BLAS).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# The cores are shared by the workers, so each admits cores ÷ workers renders at once (the
# app's own default, all the cores, suits one process). Phase 1 of bench/overload.py on
# 2 cores × 4 workers (before IMAGE_QUEUE_LENGTH existed): 2 per worker peaked at 1,712 MiB
# a worker and finished 77 of the 100 edits, 1 per worker at 924 MiB and 93.
os.environ.setdefault("IMAGE_CONCURRENCY", str(max(1, multiprocessing.cpu_count() // workers)))
# Requests waiting for an image slot each hold one of the worker's threads; past this many the
# next is refused at once, so a worker always keeps a thread for /healthz and pages (without
# a bound, 20 of 393 probes timed out at 10 s in bench/overload.py). Below it a request waits
# up to IMAGE_QUEUE_TIMEOUT, the app's own rule.
if os.environ["IMAGE_CONCURRENCY"].strip().isdigit():   # else the app refuses it by name
    os.environ.setdefault("IMAGE_QUEUE_LENGTH",
                          str(max(0, threads - int(os.environ["IMAGE_CONCURRENCY"]) - 1)))
# Longer than one provider call plus polling a slow async job, so a worker is not killed mid-request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "330"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# gunicorn refuses a header field over its limit with a bare text page; above the app's own
# bound (8 KiB, app/http/headers.py), so a client gets the API's `{"detail"}` sentence instead.
limit_request_field_size = 32768
# The same for the request line (gunicorn's default 4094, its largest 8190; app bound 4 KiB).
limit_request_line = 8190
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycling a worker (a guard against slow memory growth from image work) costs ~1 s of CPU:
# the new worker imports and builds the app again, and starts with empty per-worker caches
# (serialised catalogue answers, verified tokens). At 2000, catalogue reads under load
# (bench/catalog_reads.py) recycled one of the four workers every ~3.5 s, ~15% of this
# 2-core machine spent re-importing; at 20000 it is ~50 us of CPU per request, and a worker
# doing image work (tens of requests/s) is still recycled every few minutes.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
# How a worker gives memory back after a burst of image work. Pillow allocates a raster in
# blocks of up to 16 MiB; once one is freed glibc raises its mmap threshold past that size
# and serves the next blocks from the thread's arena, where any small allocation left above
# them pins the freed space: each of a worker's 8 thread arenas kept ~850 MB with <1 MB in
# use. bench/overload.py phase 1 (100 concurrent 40 MP edits; IMAGE_CONCURRENCY=2, no queue
# bound), the busiest worker's peak RSS / RSS 30 s after the burst:
#   glibc defaults                                         6,270 / 6,045 MiB
#   MALLOC_ARENA_MAX=2 in the environment                  2,844 / 1,849 MiB
#   mallopt(M_ARENA_MAX, 2) in post_fork                   3,043 / 2,196 MiB
#   malloc_trim(0) after every image POST                  1,914 /   168 MiB
#   max_requests 10 ± 5 (36 recycles, /healthz p99 7.5 s)  6,351 /   108 MiB
#   mallopt(M_MMAP_THRESHOLD, 1 MiB) in post_fork          1,722 /   123 MiB  <- this
# and with today's defaults, all three phases: 3,882 / 3,712 MiB without it, 921 / 127 with.
# A fixed threshold maps every allocation of 1 MiB or more on its own and unmaps it when it
# is freed, so no arena ever holds a raster; the price is page faults on fresh maps, ~8%
# more CPU for a 40 MP sandbox edit. Set in post_fork (glibc reads its environment only at
# start-up) so `make run` needs nothing; glibc's own MALLOC_MMAP_THRESHOLD_ still wins.
# max_requests above stays a guard against slow growth, not the way memory comes back.
M_MMAP_THRESHOLD, MMAP_THRESHOLD = -3, 1024 * 1024  # mallopt's parameter number (malloc.h)
# gunicorn 25.1+ opens a control socket for `gunicornc` (worker counts, reloads) at one path per
# user unless told otherwise ($XDG_RUNTIME_DIR or ~/.gunicorn/gunicorn.ctl): a second instance on
# the host takes that socket over from the first, so `gunicornc` would steer the wrong server, and
# a home the service cannot write to logs "Control server error" at start. Off unless
# GUNICORN_CONTROL_SOCKET names this instance's own path.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "")
control_socket_disable = not control_socket
# The app writes one JSON line per request; gunicorn's own access log is opt-in.
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Prometheus multiprocess mode: every worker writes samples here and /metrics sums them.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="image-studio-metrics-")


def on_starting(server):
    """Start each run with an empty metrics directory (stale files would double-count)."""
    directory = os.environ["PROMETHEUS_MULTIPROC_DIR"]
    os.makedirs(directory, exist_ok=True)
    for name in os.listdir(directory):
        if name.endswith(".db"):
            os.remove(os.path.join(directory, name))


def post_fork(server, worker):
    """Give rasters back to the system as soon as they are freed (see MMAP_THRESHOLD)."""
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # glibc and musl; absent on macOS
    if mallopt is not None and "MALLOC_MMAP_THRESHOLD_" not in os.environ:
        mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def post_worker_init(worker):
    """Start the worker's job supervisor at once (it fails and refunds the jobs a stopped
    process left behind) instead of at its first request, and build its face detector, which
    the first Social or smart-crop request would otherwise wait ~250 ms for."""
    from app.imaging import faces

    jobs = getattr(worker.wsgi, "extensions", {}).get("jobs")
    if jobs is not None:
        jobs.start()
    faces.warm()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
