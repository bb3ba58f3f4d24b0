"""Every page fits a phone's width: nothing makes the whole page scroll sideways, not even a
name typed as one long word. (A wide table scrolls inside its own card.)"""
from __future__ import annotations

from tests.e2e.test_accessibility import PHONE, plain_pages

LONG = "SummerLaunch" + "x" * 90   # one word wider than a phone


def test_no_page_scrolls_sideways_on_a_phone(admin_page, live_server):
    """The persona card, the collection list and the jobs table once pushed their pages to
    417 px and 693 px (the jobs table's visually hidden "Actions" heading escaped its
    scrolling card)."""
    page = admin_page
    _, app = live_server
    page.evaluate("""async (name) => {
        await ImageStudio.api('/api/image-studio/personas', {method: 'POST', json: {name}});
        await ImageStudio.api('/api/image-studio/collections', {method: 'POST', json: {name}});
        await ImageStudio.api('/api/image-studio/create', {method: 'POST', headers: {Prefer: 'respond-async'},
            json: {prompt: name, provider: 'sandbox', width: 320, height: 200}});
    }""", LONG)
    page.set_viewport_size(PHONE)
    pages = [path for path in plain_pages(app) if path not in ("/login", "/setup")]
    assert {"/create/personas", "/library", "/jobs"} <= set(pages), pages
    wide = {}
    for path in pages:
        page.goto(path)
        page.wait_for_load_state("networkidle")
        scroll_width, width = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        if scroll_width > width:
            wide[path] = scroll_width
    assert page.evaluate("innerWidth") == PHONE["width"]
    assert wide == {}
