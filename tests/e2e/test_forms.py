"""A studio form is sent by its page's script, never natively: its submit button arrives
disabled and the script enables it once the form is wired. (Clicked before the script ran,
Create once reloaded itself as a GET with the prompt in its URL, and a CI run timed out
waiting for the request the click should have sent.)"""
from __future__ import annotations

import pytest

PAGES = {"/create": "#generate", "/edit": "form button[type=submit].primary",
         "/upscale": "form button[type=submit].primary", "/control": "form button[type=submit].primary",
         "/social": "#optimize", "/compress": "form button[type=submit].primary",
         "/convert": "form button[type=submit].primary", "/create/personas": "#persona-save",
         "/library": ".collections button[type=submit]"}


@pytest.mark.parametrize("path", list(PAGES))
def test_the_submit_button_is_enabled_only_by_the_pages_script(admin_page, path):
    page = admin_page
    served = page.request.get(path).text()
    page.goto(path)
    button = page.locator(PAGES[path])
    assert button.count() == 1
    as_served = page.evaluate("""([html, selector]) => {
        const button = new DOMParser().parseFromString(html, 'text/html').querySelector(selector);
        return button && button.disabled; }""", [served, PAGES[path]])
    assert as_served is True, f"{path}: the button is not disabled as served"
    assert button.is_enabled()
