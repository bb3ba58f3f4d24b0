"""Polling a job does not spend the account's API budget; it has a limit of its own."""


def test_status_reads_have_their_own_limit_apart_from_the_tier_budget(make_app, user, token_for):
    app = make_app(RATELIMIT_FREE="3 per minute", RATELIMIT_JOB_STATUS="5 per minute")
    client, auth = app.test_client(), {"Authorization": f"Bearer {token_for()}"}
    url = client.post("/api/image-studio/create", json={"prompt": "a kite"},
                      headers={**auth, "Prefer": "respond-async"}).headers["Location"]
    reads = [client.get(url, headers=auth) for _ in range(4)] + [client.get("/api/image-studio/jobs",
                                                                              headers=auth)]
    assert [r.status_code for r in reads] == [200] * 5
    assert reads[0].headers["X-RateLimit-Limit"] == "5"
    refused = client.get(url, headers=auth)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert refused.get_json()["detail"].startswith("Rate limit exceeded")
    # The tier budget (3) was spent only by the one create: two more calls, then 429.
    budget = [client.get("/api/image-studio/templates", headers=auth).status_code for _ in range(3)]
    assert budget == [200, 200, 429]
