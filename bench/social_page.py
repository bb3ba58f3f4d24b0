"""The Social page as a marketer uses it: a photograph in, seven formats on screen, timed in Chromium.

Usage: .venv/bin/python bench/social_page.py [--runs 5]   (make bench-page; needs /usr/bin/chromium)

gunicorn with the production config (bench/server.py), signed in through /login, the inputs
of bench/social.py (a 12 MP and a 27 MP photo-like JPEG) chosen in the page's file input, the
seven formats of bench/social.py ticked, then "Optimize" clicked. Timed, median of --runs
after one warm-up:
- click to results: from the click to the seventh finished card on screen (the page reads the
  file, sends it as base64 with `Prefer: respond-async`, polls the job, draws the previews);
- submission: the click to the 202 (the browser's encoding and upload, then the server's
  checks, reservation and the job's row);
- job: the job's own `duration` (start to end, as the server records it);
- polls: the job status reads the page made for one run.
Each round's results are deleted after it, untimed, so every run stores its seven new.
"""
from __future__ import annotations

import argparse
import base64
import statistics
import sys
import tempfile
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.server import PASSWORD, running_service  # noqa: E402
from bench.social import FORMATS, SERVICE_ENV, load_input  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

STATUS = "/api/image-studio/jobs/"


def choose_formats(page) -> None:
    """Tick the seven formats of bench/social.py (and no platform's default besides)."""
    for platform, names in FORMATS.items():
        page.check(f"input[name=platforms][value={platform}]")
        formats = page.locator(f"[data-formats-for={platform}] input[type=checkbox]")
        formats.first.wait_for()
        for index in range(formats.count()):
            box = formats.nth(index)
            box.set_checked(box.get_attribute("value") in names)


def one_run(page, photo: Path) -> dict[str, float]:
    """Choose `photo`, optimize, and time it in the page's own clock (Playwright's events
    would carry the 13 MB request over the debugging protocol and be late)."""
    page.goto("/social")
    page.set_input_files("#social-file", str(photo))
    page.locator("#upload-info", has_text="px").wait_for()
    choose_formats(page)
    page.evaluate("""() => document.getElementById("optimize").addEventListener("click",
        () => { window.clickedAt = performance.now(); }, {capture: true, once: true})""")
    page.click("#optimize")
    page.wait_for_function("""() => document.querySelectorAll("#results .result:not(.pending)").length >= 7
        && (window.shownAt = performance.now())""", polling=5, timeout=120_000)
    timing = page.evaluate(f"""() => {{
        const entries = performance.getEntriesByType("resource");
        const posted = entries.filter((e) => e.name.endsWith("/social/optimize")).pop();
        const polls = entries.filter((e) => e.name.includes("{STATUS}") && e.startTime > posted.startTime);
        return {{shown: window.shownAt - window.clickedAt, submitted: posted.responseEnd - window.clickedAt,
                 polls: polls.length, status: polls.length ? polls[polls.length - 1].name : null}};
    }}""")
    doc = page.evaluate("url => ImageStudio.api(url)", timing.pop("status"))
    assert doc["status"] == "succeeded" and len(doc["result"]["results"]) == 7, doc["status"]
    return {**timing, "job": doc["duration"] * 1000, "assets": [r["asset_id"] for r in doc["result"]["results"]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    folder = Path(tempfile.mkdtemp(prefix="image-studio-page-bench-"))
    photos = {}
    for name in ("12MP", "27MP"):
        photos[name] = folder / f"photo-{name}.jpg"
        photos[name].write_bytes(base64.b64decode(load_input(name)))
    with running_service(SERVICE_ENV) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_context(base_url=server["base"]).new_page()
        page.goto("/login")
        page.fill("input[name=email]", "bench@example.com")
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url("**/")
        api = requests.Session()
        api.headers["Authorization"] = f"Bearer {server['token']}"
        print(f"Chromium {browser.version}, median of {args.runs} after one warm-up (ms)")
        print(f"{'input':8} {'click to results':>17} {'submission':>11} {'job':>6} {'polls':>6}")
        for name, photo in photos.items():
            runs = []
            for index in range(args.runs + 1):
                run = one_run(page, photo)
                for asset_id in run.pop("assets"):
                    api.delete(f"{server['base']}/api/image-studio/assets/{asset_id}", timeout=30).raise_for_status()
                if index:
                    runs.append(run)
            median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
            print(f"{name:8} {median['shown']:17.0f} {median['submitted']:11.0f} {median['job']:6.0f} "
                  f"{median['polls']:6.0f}")
        browser.close()


if __name__ == "__main__":
    main()
