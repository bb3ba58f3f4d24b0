"""gunicorn settings, each overridable from the environment.

gthread workers: provider calls are long I/O waits (sync Stability calls take 3-34 s),
so each worker serves several requests on threads while others wait.
"""
import multiprocessing
import os

# numpy's BLAS would spin extra threads per worker for no gain (image math here is not BLAS).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

bind = f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# Longer than one provider call plus polling a slow async job, so a worker is not killed mid-request.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "330"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycling a worker (a guard against slow memory growth from image work) costs ~1 s of CPU:
# the new worker imports and builds the app again, and starts with empty per-worker caches
# (serialised catalogue answers, verified tokens). At 2000, catalogue reads under load
# (bench/catalog_reads.py) recycled one of the four workers every ~3.5 s, ~15% of this
# 2-core machine spent re-importing; at 20000 it is ~50 us of CPU per request, and a worker
# doing image work (tens of requests/s) is still recycled every few minutes.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "2000"))
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


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
