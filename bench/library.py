"""Library benchmark: what a page of tiles costs when each tile is the file, and when it is a copy.

Usage: .venv/bin/python bench/library.py [--assets 12] [--runs 3]      (make bench-library; needs chromium)

The service runs under gunicorn with the production config (bench/server.py) and
MAX_IMAGE_MB=64. It is given --assets results the way a user makes them: a real photograph
(scikit-image's astronaut) enlarged to 16 MP with sensor-like noise, converted to PNG (what
an upscale or a lossless convert keeps) and to JPEG. Headless Chromium, signed in, then
loads /library in a fresh context (a cold cache), every tile in view, and the time is from
navigation to every tile drawn: once with each tile's <img> sent to the file (`GET
/assets/{id}`, what the tiles fetched before; a route rewrites the URL) and once as the page
is (`GET /assets/{id}/preview?side=640`, computed on each request as here, then cached by the
browser for a day): on a first view, when the tiles are made, and on later ones, when they
are read where the service keeps them; on loopback and on a link throttled to 100 Mbit/s
with 20 ms latency.
"""
from __future__ import annotations

import argparse
import base64
import io
import re
import statistics
import sys
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench.server import PASSWORD, running_service  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.photos import large  # noqa: E402

LINKS = {"loopback": None,   # the same machine: transfer is free, decoding is not
         "100 Mbit/s, 20 ms": {"latency": 20, "downloadThroughput": 12.5e6, "uploadThroughput": 12.5e6}}


def make_assets(base: str, headers: dict, count: int) -> dict[str, list[str]]:
    """`count` results, half PNG and half JPEG, of one 16 MP photograph: {format: [ids]}."""
    photo = large("astronaut", 16_000_000)
    ids: dict[str, list[str]] = {"png": [], "jpeg": []}
    for index in range(count):
        target = "png" if index % 2 == 0 else "jpeg"
        varied = io.BytesIO()
        photo.rotate(index * 0.5).save(varied, "JPEG", quality=92)   # distinct bytes, distinct assets
        answer = requests.post(f"{base}/api/image-studio/convert-format", headers=headers, timeout=300, json={
            "image_base64": base64.b64encode(varied.getvalue()).decode(), "target_format": target})
        answer.raise_for_status()
        ids[target].append(answer.json()["asset_id"])
    return ids


def page_load(browser, base: str, before: bool, link: dict | None) -> tuple[float, float]:
    """(MB fetched for the tiles, ms from navigation to every tile drawn) for one cold load of
    the Library in a fresh browser context; `before` sends each tile to the file instead."""
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 4000})  # every tile in view
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=email]", "bench@example.com")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
    if before:
        page.route(re.compile(r".*/preview\?side=640$"),
                   lambda route: route.continue_(url=route.request.url.split("/preview?")[0]))
    if link:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", {"offline": False, **link})
    page.goto("/library?per_page=24")
    page.wait_for_function("""() => { const tiles = [...document.querySelectorAll("img.preview")];
        return tiles.length > 0 && tiles.every((tile) => tile.complete && tile.naturalWidth > 0); }""",
                           polling=10, timeout=300_000)
    drawn, size = page.evaluate("""() => [performance.now(), performance.getEntriesByType("resource")
        .filter((e) => e.initiatorType === "img").reduce((sum, e) => sum + e.encodedBodySize, 0)]""")
    context.close()
    return size / 2**20, drawn


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--assets", type=int, default=12)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit("Chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with running_service({"MAX_IMAGE_MB": "64"}) as service, sync_playwright() as playwright:
        ids = make_assets(service["base"], {"Authorization": f"Bearer {service['token']}"}, args.assets)
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        print(f"The Library in Chromium {browser.version}: {args.assets} tiles of 16 MP results "
              f"({len(ids['png'])} PNG, {len(ids['jpeg'])} JPEG), a cold browser cache, median of {args.runs}")
        print(f"{'link':<20}{'tiles':<34}{'fetched':>10}{'all drawn':>11}")
        tiles = Path(service["instance"])
        for name, link in LINKS.items():
            for label, before, fresh in (("the files (before)", True, False),
                                         ("640 px copies, made (first view)", False, True),
                                         ("640 px copies, kept (later views)", False, False)):
                runs = []
                for _ in range(args.runs + 1):   # the first is a warm-up
                    if fresh:
                        for tile in tiles.rglob("*.tile"):
                            tile.unlink()
                    runs.append(page_load(browser, service["base"], before, link))
                runs = runs[1:]
                print(f"{name:<20}{label:<34}{runs[0][0]:>7.1f} MB{statistics.median(t for _, t in runs):>8.0f} ms")
        browser.close()


if __name__ == "__main__":
    main()
