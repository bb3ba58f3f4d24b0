"""The browser code's shape: one global (ImageStudio), URLs from the page, every page loads cleanly."""
import re
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e
JS = Path(__file__).resolve().parents[2] / "static" / "js"
PAGES = ["/", "/templates", "/platform-specs", "/create", "/create/personas", "/edit", "/upscale",
         "/control", "/social", "/compress", "/convert", "/library", "/usage", "/jobs", "/batch"]
CORE = ["api", "busy", "confirmStep", "csrf", "download", "downloadName", "drawable", "dropzone", "el", "handle",
        "imageInput", "inputStore", "loadAsset", "loadImage", "plainWords", "readFile", "showError", "startingAsset",
        "submit", "url"]
FORMS = ["MaskPainter", "compare", "operations", "showResult", "toggleFields", "upload", "useIn", "values"]
JOBS = ["cancelJob", "pollDelay", "resumeJob", "runJob", "showItems", "submitJob"]


def test_scripts_hold_no_api_paths_and_set_one_global():
    for script in sorted(JS.glob("*.js")):
        text = script.read_text()
        assert "/api/" not in text, f"{script.name}: URLs come from the page's data-*-url attributes"
        assigned = set(re.findall(r"window\.(\w+)\s*=", text))
        assert assigned <= {"ImageStudio"}, f"{script.name} sets globals {assigned}"
        assert "mime_type.split" not in text and "extension(" not in text, \
            f"{script.name}: download names come from the API's file_name"


def test_every_page_loads_its_scripts_without_errors(admin_page):
    page = admin_page
    problems = []
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    page.on("console", lambda message: problems.append(f"{page.url}: {message.text}")
            if message.type == "error" else None)
    page.on("response", lambda response: problems.append(f"{response.status} {response.url}")
            if response.status >= 400 else None)
    for path in PAGES:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("typeof ImageStudio.api") == "function", path
        old = page.evaluate("['Studio', 'StudioKit', 'MaskPainter'].filter((name) => name in window)")
        assert old == [], f"{path} still defines {old}"
    assert problems == []


def test_the_namespace_api(admin_page):
    page = admin_page
    page.goto("/")
    assert page.evaluate("Object.keys(ImageStudio).sort()") == CORE
    page.goto("/edit")
    assert page.evaluate("Object.keys(ImageStudio).sort()") == sorted(CORE + FORMS + JOBS)
    assert page.evaluate("""() => [
        ImageStudio.url('/a/__asset_id__/b', {asset_id: 'x y'}),
        ImageStudio.downloadName({file_name: 'edit-abc.png', mime_type: 'image/jpeg'}),
        ImageStudio.el('a', {class: 'button', download: undefined, href: '/x'}, 'Go').outerHTML,
    ]""") == ["/a/x%20y/b", "edit-abc.png", '<a class="button" href="/x">Go</a>']
    # A job is polled soon (most end within a second), then less and less often, at most every 2 s.
    assert page.evaluate("Array.from({length: 9}, (_, n) => ImageStudio.pollDelay(n))") == \
        [150, 225, 338, 506, 759, 1139, 1709, 2000, 2000]
    detail = page.evaluate("""() => ImageStudio.api(document.getElementById('edit-form').dataset.processUrl,
        {method: 'POST', json: {}}).then(() => 'no error', (error) => error.message)""")
    assert detail != "no error" and detail
