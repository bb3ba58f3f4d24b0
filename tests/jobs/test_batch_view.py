"""The Campaign page: behind the login, with the platforms, the API URLs and a sample CSV."""
import csv
import io

import pytest


def test_page_needs_a_login(client, user):
    response = client.get("/batch")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_page_offers_the_upload_platforms_and_the_api_urls(signed_in):
    response = signed_in.get("/batch")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for platform in ("instagram", "facebook", "twitter", "linkedin", "youtube", "pinterest", "tiktok"):
        assert f'name="platforms" value="{platform}"' in html
    assert 'value="blog"' not in html  # no social formats of its own
    for name in ("all_formats", "crop_mode", "output_format"):
        assert f'name="{name}"' in html, name
    assert 'data-estimate-url="/api/image-studio/batch/estimate"' in html
    assert 'data-batch-url="/api/image-studio/batch"' in html
    assert 'data-zip-url="/api/image-studio/jobs/__job_id__/zip"' in html
    assert 'id="csv-file"' in html and 'href="/static/samples/campaign.csv"' in html
    assert "<code>instagram_feed_square</code>" in html and "<code>cinematic</code>" in html
    assert "/static/js/jobs.js" in html and "/static/js/batch.js" in html
    assert "<script>" not in html and " onclick=" not in html  # the CSP allows no inline code


@pytest.fixture
def sample(client):
    response = client.get("/static/samples/campaign.csv")
    assert response.status_code == 200
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_sample_csv_is_a_valid_campaign(sample, client, auth):
    items = [{key: value for key, value in row.items() if value} for row in sample]
    assert len(items) == 3 and all(item["prompt"] for item in items)
    for item in items:
        item["num_variations"] = int(item["num_variations"])
    response = client.post("/api/image-studio/batch/estimate", json={"items": items, "social": None},
                           headers=auth)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["total_images"] == 4
