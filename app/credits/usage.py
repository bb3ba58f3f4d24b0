"""This month's usage report: balance, allowance, and spend by studio, provider and day."""
from __future__ import annotations

from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.credits.models import LedgerEntry
from app.credits.service import SPENDING, allowance, balance, month_start
from app.extensions import db


def usage_report(user: User) -> dict[str, Any]:
    """Aggregated in Python: one month of one user's rows is small, and it works on any database."""
    start = month_start()
    rows = db.session.scalars(select(LedgerEntry).where(
        LedgerEntry.user_id == user.id, LedgerEntry.created_at >= start)).all()
    by_studio: dict[str, float] = defaultdict(float)
    by_provider: dict[str, float] = defaultdict(float)
    by_day: dict[str, float] = defaultdict(float)
    # "free" counts charged results that cost nothing (the sandbox, in-process work), so the page
    # can say why "Spent 0" sits beside results made.
    counts = {"charged": 0, "refunded": 0, "pending": 0, "free": 0}
    granted = spent = 0.0
    for row in rows:
        if row.outcome == "granted":
            granted += row.credits
            continue
        counts[row.outcome] += 1
        if row.outcome == "charged" and not row.credits:
            counts["free"] += 1
        if row.outcome in SPENDING:
            spent += row.credits
            by_studio[row.studio] += row.credits
            by_provider[row.provider] += row.credits
            by_day[row.created_at.date().isoformat()] += row.credits
    days = []
    day = start.date()
    last = max([start.date(), *(r.created_at.date() for r in rows)])
    while day <= last:
        days.append({"date": day.isoformat(), "credits": round(by_day.get(day.isoformat(), 0.0), 2)})
        day += timedelta(days=1)
    return {
        "tier": user.tier, "currency": "credits", "period_start": start.date().isoformat(),
        "allowance": allowance(user), "granted": round(granted, 2), "spent": round(spent, 2),
        "balance": round(balance(user), 2), "operations": counts,
        "by_studio": {k: round(v, 2) for k, v in sorted(by_studio.items())},
        "by_provider": {k: round(v, 2) for k, v in sorted(by_provider.items())},
        "by_day": days,
    }


def chart_points(by_day: list[dict[str, Any]], width: int = 640, height: int = 180) -> dict[str, Any]:
    """Bar geometry for the usage page's server-rendered SVG chart; `peak` is 0 when nothing
    was spent, so the page shows words instead of an empty chart."""
    peak = max([d["credits"] for d in by_day] + [0.0])
    scale = peak or 1.0
    slot = width / max(len(by_day), 1)
    bars = [{"x": round(i * slot + slot * 0.15, 1), "width": round(slot * 0.7, 1),
             "height": round(d["credits"] / scale * (height - 20), 1), "date": d["date"], "credits": d["credits"]}
            for i, d in enumerate(by_day)]
    for bar in bars:
        bar["y"] = round(height - bar["height"], 1)
    return {"bars": bars, "peak": peak, "width": width, "height": height}
