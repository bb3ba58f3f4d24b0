"""Prometheus metric definitions, importable without Flask (the provider layer records into them)."""
from prometheus_client import Counter, Histogram

REQUEST_LATENCY = Histogram("image_studio_request_duration_seconds", "HTTP request latency by endpoint",
                            ["endpoint", "method", "status"],
                            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120))
PROVIDER_LATENCY = Histogram("image_studio_provider_duration_seconds", "Provider call latency",
                             ["provider", "kind", "outcome"],
                             buckets=(0.1, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300))
PROVIDER_ERRORS = Counter("image_studio_provider_errors_total", "Failed provider calls",
                          ["provider", "kind", "reason"])
CREDITS_CHARGED = Counter("image_studio_credits_charged_total", "Credits charged for returned results",
                          ["provider", "studio"])
JOBS_FINISHED = Counter("image_studio_jobs_finished_total", "Jobs that ended, by operation and status",
                        ["operation", "status"])
JOB_DURATION = Histogram("image_studio_job_duration_seconds", "Job run time from start to end",
                         ["operation", "status"],
                         buckets=(0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800))
