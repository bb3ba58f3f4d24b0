"""The Campaign page in a real browser: a CSV previewed with each row's problems and a live
estimate, then run as one job with live progress, Cancel, a reload that picks it up again and
the campaign ZIP. Generations go to the fake Stability server, which can answer slowly."""
import io
import zipfile

import pytest
from playwright.sync_api import expect

from tests.fakes.server import png_bytes

pytestmark = pytest.mark.e2e
JOB_KEY, SAVED_KEY = "image-studio.job.batch", "image-studio.batch.campaign"
HEADER = "prompt,template_id,style_preset,num_variations,provider,enhance_prompt,notes\n"
THREE_ROWS = HEADER + (
    '"Summer sale, bright ""bold"" colours",instagram_feed_square,photographic,2,stability,yes,first\n'
    "A blue boat on a calm lake,,,1,stability,no,\n"
    '"A red kite\nover the dunes",,cinematic,1,stability,,last\n')


@pytest.fixture
def live_server(provider_server):
    return provider_server


def _open(page, csv, platforms=()):
    """Go to the page, choose the platforms, then upload `csv` as a file."""
    page.goto("/batch")
    for platform in platforms:
        page.check(f"input[name=platforms][value={platform}]")
    page.set_input_files("#csv-file", files=[{"name": "campaign.csv", "mimeType": "text/csv",
                                              "buffer": csv.encode()}])


def _problems(page):
    """Script errors, console errors and failed responses seen from now on."""
    seen = []
    page.on("pageerror", lambda error: seen.append(str(error)))
    page.on("console", lambda message: seen.append(message.text) if message.type == "error" else None)
    page.on("response", lambda response: seen.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    return seen


def _rows(page):
    return page.locator("#rows tbody tr")


def _slow_generations(fake, *delays):
    for delay in delays:
        fake.queue(status=200, body=png_bytes(1024, 1024), content_type="image/png",
                   headers={"finish-reason": "SUCCESS", "seed": "42"}, delay=delay, path=r"/generate/")


def test_a_csv_is_previewed_with_its_estimate_before_anything_is_spent(admin_page, fake_stability):
    page = admin_page
    problems = _problems(page)
    with page.expect_request(lambda r: r.url.endswith("/batch/estimate")) as sent:
        _open(page, THREE_ROWS, platforms=("instagram", "twitter"))
    body = sent.value.post_data_json
    assert body["social"] == {"platforms": ["instagram", "twitter"], "all_formats": False,
                              "crop_mode": "smart", "output_format": "png"}
    assert body["items"] == [
        {"prompt": 'Summer sale, bright "bold" colours', "template_id": "instagram_feed_square",
         "style_preset": "photographic", "num_variations": 2, "provider": "stability", "enhance_prompt": True},
        {"prompt": "A blue boat on a calm lake", "num_variations": 1, "provider": "stability",
         "enhance_prompt": False},
        {"prompt": "A red kite\nover the dunes", "style_preset": "cinematic", "num_variations": 1,
         "provider": "stability"}]

    expect(_rows(page)).to_have_count(3)
    expect(page.locator("#rows-summary")).to_have_text("3 rows from campaign.csv")
    expect(page.locator("#csv-ignored")).to_have_text("Ignored columns: notes")
    expect(page.locator("#rows thead th")).to_have_text(
        ["Row", "prompt", "template_id", "style_preset", "num_variations", "provider", "enhance_prompt",
         "Images", "Credits", "Check"])
    expect(_rows(page).first.locator("[data-column=prompt]")).to_have_text('Summer sale, bright "bold" colours')
    # 4 generated images, each also sized for 2 platforms; Stability costs 3 credits an image.
    expect(page.locator("#estimate-total")).to_have_text("12 images · 12 credits")
    expect(page.locator("#estimate-detail")).to_contain_text("4 generated images + 8 social renditions")
    expect(_rows(page).first.locator(".images")).to_have_text("2 + 4 social")
    expect(_rows(page).first.locator(".credits")).to_have_text("6")
    expect(page.locator("#start")).to_be_enabled()
    assert not [r for r in fake_stability.requests if "/generate" in r.path], "an estimate called the provider"

    # The estimate follows the options: one platform fewer, four images fewer.
    page.uncheck("input[name=platforms][value=twitter]")
    expect(page.locator("#estimate-total")).to_have_text("8 images · 12 credits")
    page.uncheck("input[name=platforms][value=instagram]")
    expect(page.locator("#estimate-total")).to_have_text("4 images · 12 credits")
    assert problems == []


def test_a_row_with_an_empty_prompt_is_named_and_start_stays_disabled(admin_page):
    page = admin_page
    _open(page, HEADER + "A lighthouse at dawn,,,1,sandbox,,\n,,,1,sandbox,,\nA fox in snow,,,12,sandbox,,\n")
    expect(_rows(page)).to_have_count(3)
    bad = page.locator('#rows tr[data-row="2"]')
    expect(bad).to_have_attribute("data-invalid", "true")
    expect(bad.locator(".check")).to_have_text("prompt: Must not be empty.")
    expect(page.locator('#rows tr[data-row="3"] .check')).to_contain_text("num_variations: Must be greater")
    expect(page.locator('#rows tr[data-row="1"]')).not_to_have_attribute("data-invalid", "true")
    expect(page.locator("#rows-error")).to_contain_text("Row 2: prompt: Must not be empty.")
    expect(page.locator("#estimate-total")).to_have_text("fix 2 rows first")
    expect(page.locator("#start")).to_be_disabled()

    # A refusal of the studio itself (an unknown template) names its item, and so its row.
    _open(page, HEADER + "One,,,1,sandbox,,\nTwo,,,1,sandbox,,\nThree,nope,,1,sandbox,,\nFour,,,1,sandbox,,\n")
    expect(page.locator('#rows tr[data-row="3"] .check')).to_have_text("Template not found: nope")
    expect(page.locator("#rows-error")).to_contain_text("Row 3: Template not found: nope")
    expect(page.locator("#start")).to_be_disabled()

    # More rows than a campaign holds: said before any estimate.
    _open(page, HEADER + "".join(f"Row {n},,,1,sandbox,,\n" for n in range(101)))
    expect(_rows(page)).to_have_count(101)
    expect(page.locator("#rows-error")).to_contain_text("A campaign holds at most 100 rows; this CSV has 101.")
    expect(page.locator("#start")).to_be_disabled()

    # Fixed, the campaign can start.
    _open(page, HEADER + "One,,,1,sandbox,,\nTwo,,,1,sandbox,,\n")
    expect(page.locator("#estimate-total")).to_have_text("2 images · 0 credits")
    expect(page.locator("#rows-error")).to_be_hidden()
    expect(page.locator("#start")).to_be_enabled()


def test_a_campaign_runs_shows_each_image_and_downloads_its_zip(admin_page, tmp_path):
    page = admin_page
    problems = _problems(page)
    _open(page, THREE_ROWS, platforms=("instagram", "twitter"))
    expect(page.locator("#estimate-total")).to_have_text("12 images · 12 credits")
    with page.expect_response(lambda r: r.url.endswith("/api/image-studio/batch")) as answer:
        page.click("#start")
    assert answer.value.status == 202
    expect(page.locator("#batch-job [data-job-cancel]")).to_be_visible()
    expect(page.locator("#start")).to_be_disabled()

    expect(page.locator("#batch-job [data-job-text]")).to_have_text("12 of 12 images done", timeout=30000)
    expect(page.locator("#results-summary")).to_have_text("4 images generated, 8 social renditions, 0 failed")
    cards = page.locator("#results .result")
    expect(cards).to_have_count(12)
    expect(cards.first.locator("h3")).to_have_text("Row 1 · variation 1")
    expect(cards.nth(1)).to_have_attribute("data-platform", "instagram")
    expect(cards.first.locator("img")).to_have_js_property("naturalWidth", 1080)  # the template size
    expect(page.locator("#batch-job [data-job-cancel]")).to_be_hidden()
    assert page.evaluate("keys => keys.map((k) => localStorage.getItem(k))", [JOB_KEY, SAVED_KEY]) == [None, None]

    link = page.locator("#download-zip")
    expect(link).to_have_text("Download ZIP")
    with page.expect_download() as download:
        link.click()
    path = tmp_path / "campaign.zip"
    download.value.save_as(path)
    names = zipfile.ZipFile(path).namelist()
    assert len(names) == 12 and all(name.startswith(("item-001/", "item-002/", "item-003/")) for name in names)
    assert {"item-001/variation-1.png", "item-001/variation-2/instagram_feed_post_square.png",
            "item-003/variation-1/twitter_post.png"} <= set(names)
    assert problems == []


def test_a_reload_during_a_run_resumes_it(admin_page, fake_stability):
    page = admin_page
    _slow_generations(fake_stability, 0.3, 2.5, 2.5)
    csv = HEADER + "One,,,1,stability,,\nTwo,,,1,stability,,\nThree,,,1,stability,,\n"
    _open(page, csv, platforms=("instagram",))
    expect(page.locator("#estimate-total")).to_have_text("6 images · 9 credits")
    with page.expect_response(lambda r: r.url.endswith("/api/image-studio/batch")) as answer:
        page.click("#start")
    job = answer.value.json()
    expect(page.locator("#batch-job [data-job-text]")).to_have_text("2 of 6 images done", timeout=10000)
    assert page.evaluate("k => JSON.parse(localStorage.getItem(k)).job_id", JOB_KEY) == job["job_id"]

    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    page.reload()
    # The page finds its job again: the rows, the progress, the images made so far, Cancel.
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("input[name=platforms][value=instagram]")).to_be_checked()
    expect(page.locator("#batch-job [data-job-text]")).to_have_text("2 of 6 images done", timeout=5000)
    expect(page.locator("#results .result")).to_have_count(2)
    expect(page.locator("#batch-job [data-job-cancel]")).to_be_visible()
    expect(page.locator("#start")).to_be_disabled()

    expect(page.locator("#batch-job [data-job-text]")).to_have_text("6 of 6 images done", timeout=20000)
    expect(page.locator("#results .result")).to_have_count(6)
    expect(page.locator("#download-zip")).to_be_visible()
    expect(page.locator("#start")).to_be_enabled()
    assert not [url for url in posts if url.endswith("/api/image-studio/batch")], "the campaign was sent again"


def test_cancel_stops_the_campaign_and_offers_what_was_made(admin_page, fake_stability):
    page = admin_page
    _slow_generations(fake_stability, 0.3, 4.0, 4.0)
    _open(page, HEADER + "One,,,1,stability,,\nTwo,,,1,stability,,\nThree,,,1,stability,,\n")
    expect(page.locator("#estimate-total")).to_have_text("3 images · 9 credits")
    page.click("#start")
    expect(page.locator("#batch-job [data-job-text]")).to_have_text("1 of 3 images done", timeout=10000)
    with page.expect_response(lambda r: r.request.method == "DELETE") as deleted:
        page.click("#batch-job [data-job-cancel]")
    assert deleted.value.status == 200
    expect(page.locator("#batch-job [data-job-text]")).to_have_text("Cancelled · 1 of 3 images done")
    expect(page.locator("#batch-error")).to_have_text("Cancelled")
    expect(page.locator("#start")).to_be_enabled()
    link = page.locator("#download-zip")
    expect(link).to_have_text("Download ZIP (images made so far)")
    archive = page.request.get(link.get_attribute("href"))
    assert archive.status == 200 and len(zipfile.ZipFile(io.BytesIO(archive.body())).namelist()) == 1


def _drop_the_sample(page):
    """Drop the page's own sample CSV on its dropzone, as a user dragging the file would."""
    sample = page.request.get(page.locator("#sample-csv").get_attribute("href"))
    assert sample.status == 200
    dropped = page.evaluate_handle("""text => {
        const transfer = new DataTransfer();
        transfer.items.add(new File([text], 'sample.csv', {type: 'text/csv'}));
        return transfer;
    }""", sample.text())
    page.dispatch_event("#csv-dropzone", "drop", {"dataTransfer": dropped})


def test_the_sample_csv_dropped_on_the_page_previews_cleanly(admin_page):
    page = admin_page
    page.goto("/batch")
    _drop_the_sample(page)
    expect(page.locator("#rows-summary")).to_have_text("3 rows from sample.csv")
    expect(_rows(page)).to_have_count(3)
    expect(page.locator("#estimate-total")).to_contain_text("4 images ·")
    expect(page.locator("#rows-error")).to_be_hidden()
    expect(page.locator("#csv-ignored")).to_have_text("")


def test_a_loaded_campaign_fits_a_phone(admin_page):
    """At 390 px the rows table pushed the whole page to 1212 px; it scrolls inside its card."""
    page = admin_page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/batch")
    _drop_the_sample(page)
    expect(_rows(page)).to_have_count(3)
    assert page.evaluate("[document.documentElement.scrollWidth, innerWidth]") == [390, 390]
