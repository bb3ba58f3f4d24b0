"""Routes of app/pages.py that no studio owns."""


def test_the_icon_a_browser_asks_for_at_the_root_is_the_apps_own(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 308 and response.headers["Location"] == "/static/favicon.svg"
    icon = client.get(response.headers["Location"])
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and icon.data.startswith(b"<svg")
