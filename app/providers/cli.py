"""`flask providers check`: ask every configured provider whether it can work, now."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from .status import Report, StatusBoard

providers = AppGroup("providers", help="Inspect the AI providers.")
HEADER = ("provider", "configured", "key ok", "models served", "missing", "message")


@providers.command("check")
def check() -> None:
    """Check each configured provider's key and models without generating anything; exit 1
    when one fails."""
    board: StatusBoard = current_app.extensions["provider_status"]
    reports = board.check()
    click.echo(_table([HEADER, *(_row(report) for report in reports)]))
    if any(report.failed for report in reports):
        raise SystemExit(1)


def _row(report: Report) -> tuple[str, ...]:
    result = report.result
    key_ok = {"ok": "yes", "models_missing": "yes", "key_rejected": "no"}.get(result.status, "-")
    if result.status not in ("ok", "models_missing"):
        served = missing = "-"
    elif result.served is None:
        served, missing = "not listed", "-"
    else:
        served, missing = ", ".join(result.served) or "none", ", ".join(result.missing) or "-"
    return (report.provider, "yes" if report.configured else "no", key_ok, served, missing,
            result.message)


def _table(rows: list[tuple[str, ...]]) -> str:
    """Rows as left-aligned columns two spaces apart (the last one left ragged)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join("  ".join([*(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True)), row[-1]])
                     for row in rows)
