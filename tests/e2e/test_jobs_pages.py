"""Studio pages as jobs in a real browser: live progress, results as they finish, reload, cancel,
the Jobs page. Slow jobs come from the fake Stability server (tests/fakes) answering each
generate call after a scripted delay, so the app makes real HTTP calls that simply take time."""
import re

import pytest
from playwright.sync_api import expect

from tests.fakes.server import png_bytes
from tests.imaging.images import scene

pytestmark = pytest.mark.e2e
JOB_KEY = "image-studio.job.create"


@pytest.fixture
def live_server(provider_server):
    return provider_server


def _slow_generations(fake, *delays):
    """The next generate calls answer, in the order they arrive, after these many seconds each."""
    for delay in delays:
        fake.queue(status=200, body=png_bytes(1024, 1024), content_type="image/png",
                   headers={"finish-reason": "SUCCESS", "seed": "42"}, delay=delay, path=r"/generate/")


def _generate(page, count, provider="stability", prompt="A lighthouse at dawn"):
    """Submit the Create form; returns the 202 answer's body."""
    page.goto("/create")
    page.locator(f"select[name=provider] option[value={provider}]:not([disabled])").wait_for(state="attached")
    page.click("details.advanced summary")   # the provider is under Advanced
    page.select_option("select[name=provider]", provider)
    page.fill("textarea[name=prompt]", prompt)
    page.fill("input[name=num_variations]", str(count))
    with page.expect_response("**/api/image-studio/create") as answer:
        page.click("#generate")
    assert answer.value.status == 202
    assert answer.value.headers["location"] == answer.value.json()["status_url"]
    return answer.value.json()


def _snapshot(page, job="#create-job", grid="#results"):
    """The progress text, bar and the cards shown, read in one go (one poll updates them together)."""
    return page.evaluate("""([job, grid]) => ({
        text: document.querySelector(job + ' [data-job-text]').textContent,
        value: document.querySelector(job + ' [data-job-bar]').value,
        max: document.querySelector(job + ' [data-job-bar]').max,
        cards: document.querySelectorAll(grid + ' .result').length,
        srcs: Array.from(document.querySelectorAll(grid + ' .result img')).map((img) => img.getAttribute('src')),
    })""", [job, grid])


def _wait_for_text(page, selector, pattern, timeout=20000):
    page.wait_for_function("([selector, pattern]) => new RegExp(pattern).test("
                           "document.querySelector(selector).textContent)", arg=[selector, pattern],
                           timeout=timeout, polling=50)


def test_create_four_variations_show_progress_and_every_image(admin_page, fake_stability):
    page = admin_page
    _slow_generations(fake_stability, 0.5, 1.5, 2.5, 3.5)
    accepted = _generate(page, 4)
    assert accepted["status"] == "queued"
    cancel = page.locator("#create-job [data-job-cancel]")
    expect(cancel).to_be_visible()
    expect(page.locator("#generate")).to_be_disabled()

    # Each finished variation is on the page before the job ends, from its stored asset.
    _wait_for_text(page, "#create-job [data-job-text]", r"^[1-3] of 4 variations done$")
    seen = _snapshot(page)
    done = int(seen["text"][0])
    assert seen["cards"] == done and seen["value"] == done and seen["max"] == 4
    assert all(src.startswith("/api/image-studio/assets/") for src in seen["srcs"])
    expect(page.locator("#results .result img").first).to_have_js_property("naturalWidth", 1024)

    expect(page.locator("#create-job [data-job-text]")).to_have_text("4 of 4 variations done", timeout=20000)
    expect(page.locator("#results-summary")).to_contain_text("4 generated, 0 failed")
    cards = page.locator("#results .result")
    expect(cards).to_have_count(4)
    for index in range(4):
        expect(cards.nth(index)).to_have_attribute("data-variation", str(index + 1))
        expect(cards.nth(index)).to_contain_text("1024×1024 px")
        expect(cards.nth(index).locator("img")).to_have_js_property("naturalWidth", 1024)
    # The final result is the synchronous body, rendered as before (inline images).
    assert all(src.startswith("data:image/png;base64,") for src in _snapshot(page)["srcs"])
    expect(cancel).to_be_hidden()
    expect(page.locator("#generate")).to_be_enabled()
    expect(page.locator("#create-error")).to_be_hidden()
    assert page.evaluate("key => localStorage.getItem(key)", JOB_KEY) is None


def test_a_reload_mid_run_picks_the_job_up_again(admin_page, fake_stability):
    page = admin_page
    _slow_generations(fake_stability, 1.0, 3.0, 3.5, 4.0)
    accepted = _generate(page, 4)
    _wait_for_text(page, "#create-job [data-job-text]", r"^1 of 4 variations done$")
    stored = page.evaluate("key => JSON.parse(localStorage.getItem(key))", JOB_KEY)
    assert stored["job_id"] == accepted["job_id"] and stored["status_url"] == accepted["status_url"]

    posts = []
    page.on("request", lambda request: posts.append(request.url) if request.method == "POST" else None)
    page.reload()
    # The page finds its job again: progress, the variation already made, Cancel, a busy button.
    _wait_for_text(page, "#create-job [data-job-text]", r"^[1-3] of 4 variations done$", timeout=5000)
    expect(page.locator("#create-job [data-job-cancel]")).to_be_visible()
    expect(page.locator("#generate")).to_be_disabled()
    assert _snapshot(page)["cards"] >= 1

    expect(page.locator("#create-job [data-job-text]")).to_have_text("4 of 4 variations done", timeout=20000)
    expect(page.locator("#results-summary")).to_contain_text("4 generated, 0 failed")
    expect(page.locator("#results .result")).to_have_count(4)
    expect(page.locator("#generate")).to_be_enabled()
    assert not [url for url in posts if url.endswith("/api/image-studio/create")], "the job was sent again"
    assert page.evaluate("key => localStorage.getItem(key)", JOB_KEY) is None

    # A reload once it is over shows nothing stale.
    page.reload()
    page.locator("#cost-estimate", has_text="credits").wait_for()
    expect(page.locator("#create-job")).to_be_hidden()
    expect(page.locator("#results .result")).to_have_count(0)


def test_cancel_stops_the_job_and_keeps_what_was_made(admin_page, fake_stability):
    page = admin_page
    _slow_generations(fake_stability, 0.5, 4.0, 4.0, 4.0)
    accepted = _generate(page, 4)
    _wait_for_text(page, "#create-job [data-job-text]", r"^1 of 4 variations done$")
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        page.click("#create-job [data-job-cancel]")
    assert deleted.value.status == 200 and deleted.value.url.endswith(accepted["status_url"])

    expect(page.locator("#create-job [data-job-text]")).to_have_text("Cancelled · 1 of 4 variations done")
    expect(page.locator("#create-error")).to_have_text("Cancelled")
    expect(page.locator("#create-job [data-job-cancel]")).to_be_hidden()
    expect(page.locator("#generate")).to_be_enabled()
    expect(page.locator("#create-progress.active")).to_have_count(0)
    expect(page.locator("#results .result")).to_have_count(1)
    doc = page.evaluate("url => ImageStudio.api(url)", accepted["status_url"])
    assert doc["status"] == "cancelled" and doc["progress"] == {"done": 1, "total": 4}
    assert doc["credits"]["charged"] > 0 and doc["credits"]["refunded"] > 0
    assert page.evaluate("key => localStorage.getItem(key)", JOB_KEY) is None


def test_jobs_page_lists_jobs_and_cancels_a_running_one(admin_page, fake_stability):
    page = admin_page
    quick = _generate(page, 1, provider="sandbox", prompt="A quick sketch")
    expect(page.locator("#create-job [data-job-text]")).to_have_text("1 of 1 variation done")
    _slow_generations(fake_stability, 1.5, 8.0)
    slow = _generate(page, 2)
    page.click("nav >> text=More")
    page.click("nav >> text=Jobs")   # leave the page while the job runs
    page.wait_for_url("**/jobs")

    rows = page.locator("#jobs-rows tr")
    expect(rows).to_have_count(2)
    running = page.locator(f'tr[data-job-id="{slow["job_id"]}"]')
    finished = page.locator(f'tr[data-job-id="{quick["job_id"]}"]')
    expect(rows.first).to_have_attribute("data-job-id", slow["job_id"])  # newest first
    expect(finished.locator(".status")).to_have_text("succeeded")
    expect(finished.locator(".operation")).to_have_text("create")
    expect(finished.locator(".progress-cell")).to_have_text("1 of 1")
    expect(finished.locator(".credits")).to_have_text("0 charged")
    assert re.fullmatch(r"\d+\.\d s", finished.locator("td").nth(4).inner_text())
    expect(finished.locator("button.cancel")).to_have_count(0)
    link = finished.locator(".images a")
    expect(link).to_have_count(1)
    image = page.request.get(link.get_attribute("href"))
    assert image.status == 200 and image.headers["content-type"] == "image/png"

    expect(running.locator(".status")).to_have_text("running")
    # The list refreshes by itself while a job runs: its first image shows up.
    expect(running.locator(".progress-cell")).to_have_text("1 of 2", timeout=10000)
    expect(running.locator(".images a")).to_have_count(1)
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        running.locator("button.cancel").click()
    assert deleted.value.status == 200
    expect(running.locator(".status")).to_have_text("cancelled")
    expect(running.locator("button.cancel")).to_have_count(0)
    expect(running.locator(".credits")).to_contain_text("refunded")

    # Back on Create, the page it left finds its job over: cancelled.
    page.click("nav >> text=Create")
    expect(page.locator("#create-job [data-job-text]")).to_have_text("Cancelled · 1 of 2 variations done")
    expect(page.locator("#create-error")).to_have_text("Cancelled")
    expect(page.locator("#results .result")).to_have_count(1)


def test_social_renditions_appear_as_they_are_made(admin_page, tmp_path, job_result):
    source = tmp_path / "photo.png"
    scene(2400, 1600, (0.6, 0.5), 30).save(source)
    page = admin_page
    page.goto("/social")
    page.set_input_files("#social-file", str(source))
    page.locator("#upload-info", has_text="2400×1600 px").wait_for()
    for platform in ("instagram", "facebook", "twitter", "linkedin", "pinterest", "tiktok"):
        page.check(f"input[name=platforms][value={platform}]")
    page.check("input[name=all_formats]")
    # Record what the page shows after each change, to see the grid fill in.
    page.evaluate("""() => {
        window.seen = [];
        const text = document.querySelector('#social-job [data-job-text]');
        new MutationObserver(() => window.seen.push([text.textContent,
            document.querySelectorAll('#results .result').length])).observe(text, {childList: true});
    }""")
    with page.expect_response("**/api/image-studio/social/optimize") as answer:
        page.click("#optimize")
    result = job_result(answer.value)
    total = len(result["results"])
    assert total == 18
    expect(page.locator("#social-job [data-job-text]")).to_have_text(f"{total} of {total} renditions done")
    expect(page.locator("#results-summary")).to_have_text(f"{total} images")
    cards = page.locator("#results .result")
    expect(cards).to_have_count(total)
    expect(cards.first).to_contain_text("KB")
    expect(page.locator("#download-all")).to_be_visible()

    seen = page.evaluate("window.seen")
    progress = [(int(m.group(1)), int(m.group(2)), cards) for text, cards in seen
                if (m := re.fullmatch(r"(\d+) of (\d+) renditions done", text))]
    assert progress and all(of == total for _, of, _ in progress)
    partial = [(done, shown) for done, _, shown in progress if 0 < done < total]
    assert partial, f"no rendition was shown before the last one: {seen}"
    # While the job runs, the grid holds exactly the renditions made so far.
    assert all(shown == done for done, shown in partial)
    assert [done for done, _, _ in progress] == sorted(done for done, _, _ in progress)


def test_upscale_survives_a_reload_and_shows_the_result_panel(admin_page, fake_stability, tmp_path):
    source = tmp_path / "small.png"
    scene(128, 64, (0.5, 0.5), 10).save(source)
    fake_stability.queue(status=200, body=png_bytes(512, 256), content_type="image/png",
                         headers={"finish-reason": "SUCCESS", "seed": "7"}, delay=2.5, path=r"/upscale/")
    page = admin_page
    page.goto("/upscale")
    page.set_input_files("[data-upload=image] input[type=file]", str(source))
    expect(page.locator("[data-upload=image] .upload-info")).to_contain_text("128×64 px")
    page.select_option("select[name=mode]", "conservative")
    page.select_option("select[name=provider]", "stability")
    page.fill("textarea[name=prompt]", "crisp details")
    with page.expect_response("**/api/image-studio/upscale") as answer:
        page.click("form.card button[type=submit]")
    assert answer.value.status == 202
    expect(page.locator("[data-job] [data-job-text]")).to_have_text("0 of 1 image done")
    expect(page.locator("[data-job] [data-job-cancel]")).to_be_visible()

    page.reload()
    expect(page.locator("[data-job] [data-job-cancel]")).to_be_visible()
    page.wait_for_selector("[data-result]:not(.hidden)", timeout=20000)
    expect(page.locator("[data-job] [data-job-text]")).to_have_text("1 of 1 image done")
    assert page.inner_text("[data-result-size]") == "512×256 px"
    expect(page.locator("[data-after]")).to_have_js_property("naturalWidth", 512)
    # The original was small enough to keep with the job: the before/after slider still has it.
    expect(page.locator("[data-before]")).to_have_js_property("naturalWidth", 128)
    expect(page.locator("[data-download]")).to_have_attribute("href", re.compile(r"^/api/image-studio/assets/"))
    expect(page.locator("[data-job] [data-job-cancel]")).to_be_hidden()
