"""Named collections over the API: owner only, names unique per user, deleting keeps the images."""
import pytest

from tests.assets.helpers import store

pytestmark = pytest.mark.database
API = "/api/image-studio"


@pytest.fixture
def other(make_user, token_for):
    make_user("other@example.com")
    return {"Authorization": f"Bearer {token_for('other@example.com')}"}


def _create(client, auth, name):
    response = client.post(f"{API}/collections", json={"name": name}, headers=auth)
    assert response.status_code == 201, response.json
    return response.json


def _asset(client, auth, asset_id):
    return next(a for a in client.get(f"{API}/assets?per_page=100", headers=auth).json["assets"]
                if a["id"] == asset_id)


def test_create_list_rename_and_delete(app, client, user, auth):
    spring = _create(client, auth, "  Spring launch ")
    assert spring["name"] == "Spring launch" and spring["asset_count"] == 0 and len(spring["id"]) == 32
    _create(client, auth, "autumn")
    listed = client.get(f"{API}/collections", headers=auth).json["collections"]
    assert [(c["name"], c["asset_count"]) for c in listed] == [("autumn", 0), ("Spring launch", 0)]

    renamed = client.put(f"{API}/collections/{spring['id']}", json={"name": "Summer"}, headers=auth)
    assert renamed.status_code == 200 and renamed.json["name"] == "Summer" and renamed.json["id"] == spring["id"]
    assert client.put(f"{API}/collections/{spring['id']}", json={"name": "Summer"}, headers=auth).status_code == 200

    assert client.delete(f"{API}/collections/{spring['id']}", headers=auth).status_code == 204
    assert [c["name"] for c in client.get(f"{API}/collections", headers=auth).json["collections"]] == ["autumn"]
    assert client.delete(f"{API}/collections/{spring['id']}", headers=auth).status_code == 404


@pytest.mark.parametrize(("body", "detail"), [
    ({}, "Invalid value for 'name': Missing data for required field."),
    ({"name": "   "}, "Invalid value for 'name': Give the collection a name"),
    ({"name": "x" * 121}, "Invalid value for 'name': Longer than maximum length 120."),
    ({"name": 7}, "Invalid value for 'name': Not a valid string."),
])
def test_bad_names_are_400(client, auth, body, detail):
    response = client.post(f"{API}/collections", json=body, headers=auth)
    assert response.status_code == 400 and response.json["detail"] == detail


def test_names_are_unique_per_user_whatever_the_case(client, auth, other):
    first = _create(client, auth, "Spring")
    duplicate = client.post(f"{API}/collections", json={"name": "spring"}, headers=auth)
    assert duplicate.status_code == 400
    assert duplicate.json["detail"] == "You already have a collection named “spring”"
    assert duplicate.json["errors"] == {"name": ["You already have a collection named “spring”"]}
    second = _create(client, auth, "Autumn")
    clash = client.put(f"{API}/collections/{second['id']}", json={"name": "SPRING"}, headers=auth)
    assert clash.status_code == 400 and clash.json["detail"] == "You already have a collection named “SPRING”"
    assert client.put(f"{API}/collections/{first['id']}", json={"name": "SPRING"}, headers=auth).status_code == 200
    assert _create(client, other, "Spring")["name"] == "Spring"           # another user's own


def test_add_and_remove_assets_and_their_collection_ids(app, client, user, auth):
    first, second = store(app, user).asset_id, store(app, user).asset_id
    spring, autumn = _create(client, auth, "Spring"), _create(client, auth, "Autumn")
    added = client.post(f"{API}/collections/{spring['id']}/assets", json={"asset_ids": [first, second, first]},
                        headers=auth)
    assert added.status_code == 200 and added.json["asset_count"] == 2
    again = client.post(f"{API}/collections/{spring['id']}/assets", json={"asset_ids": [first]}, headers=auth)
    assert again.json["asset_count"] == 2                                   # kept once
    client.post(f"{API}/collections/{autumn['id']}/assets", json={"asset_ids": [first]}, headers=auth)
    assert sorted(_asset(client, auth, first)["collection_ids"]) == sorted([spring["id"], autumn["id"]])
    assert _asset(client, auth, second)["collection_ids"] == [spring["id"]]

    gone = client.delete(f"{API}/collections/{spring['id']}/assets/{second}", headers=auth)
    assert gone.status_code == 204 and _asset(client, auth, second)["collection_ids"] == []
    missing = client.delete(f"{API}/collections/{spring['id']}/assets/{second}", headers=auth)
    assert missing.status_code == 404 and missing.json == {"detail": "Asset not found in this collection"}
    counts = {c["name"]: c["asset_count"] for c in client.get(f"{API}/collections", headers=auth).json["collections"]}
    assert counts == {"Spring": 1, "Autumn": 1}


def test_adding_an_asset_another_request_just_added_is_not_a_500(app, client, user, auth):
    """A double click: the other request's membership is committed between this one's read and
    its write (here by a second connection, just before this request flushes). PostgreSQL
    refused the duplicate row with a 500; the request now reads again and answers as usual."""
    from sqlalchemy import event, insert

    from app.assets.models import CollectionAsset
    from app.extensions import db

    asset = store(app, user).asset_id
    spring = _create(client, auth, "Spring")
    raced = []

    def other_request_commits_first(session, flush_context, instances):
        if not raced:
            raced.append(True)
            with db.engine.begin() as other:
                other.execute(insert(CollectionAsset).values(collection_id=spring["id"], asset_id=asset))

    with app.app_context():
        event.listen(db.session, "before_flush", other_request_commits_first)
        try:
            added = client.post(f"{API}/collections/{spring['id']}/assets", json={"asset_ids": [asset]}, headers=auth)
        finally:
            event.remove(db.session, "before_flush", other_request_commits_first)
    assert raced == [True]
    assert added.status_code == 200 and added.json["asset_count"] == 1
    assert _asset(client, auth, asset)["collection_ids"] == [spring["id"]]


def test_deleting_a_collection_keeps_its_assets_and_deleting_an_asset_leaves_it(app, client, user, auth):
    kept, dropped = store(app, user), store(app, user)
    spring = _create(client, auth, "Spring")
    client.post(f"{API}/collections/{spring['id']}/assets", json={"asset_ids": [kept.asset_id, dropped.asset_id]},
                headers=auth)
    assert client.delete(dropped.url, headers=auth).status_code == 204
    assert client.get(f"{API}/collections", headers=auth).json["collections"][0]["asset_count"] == 1
    assert client.delete(f"{API}/collections/{spring['id']}", headers=auth).status_code == 204
    assert client.get(kept.url, headers=auth).status_code == 200
    assert _asset(client, auth, kept.asset_id)["collection_ids"] == []


def test_another_users_collection_or_asset_is_404(app, client, user, auth, other, make_user):
    mine = store(app, user).asset_id
    spring = _create(client, auth, "Spring")
    base = f"{API}/collections/{spring['id']}"
    for response in (client.put(base, json={"name": "Mine now"}, headers=other),
                     client.delete(base, headers=other),
                     client.post(f"{base}/assets", json={"asset_ids": [mine]}, headers=other),
                     client.delete(f"{base}/assets/{mine}", headers=other),
                     client.get(f"{API}/assets?collection_id={spring['id']}", headers=other)):
        assert response.status_code == 404 and response.json == {"detail": "Collection not found"}
    assert client.get(f"{API}/collections", headers=other).json == {"collections": []}
    theirs = store(app, make_user("third@example.com")).asset_id
    foreign = client.post(f"{base}/assets", json={"asset_ids": [mine, theirs]}, headers=auth)
    assert foreign.status_code == 404 and foreign.json == {"detail": "Asset not found"}
    assert client.get(f"{API}/collections", headers=auth).json["collections"][0]["asset_count"] == 0  # none added
    assert client.put(f"{API}/collections/{'0' * 32}", json={"name": "x"}, headers=auth).status_code == 404
    assert client.get(f"{API}/collections").status_code == 401


@pytest.mark.parametrize("body", [{}, {"asset_ids": []}, {"asset_ids": "abc"}, {"asset_ids": ["x" * 33]},
                                  {"asset_ids": ["a"] * 201}])
def test_bad_asset_lists_are_400(client, auth, body):
    spring = _create(client, auth, "Spring")
    response = client.post(f"{API}/collections/{spring['id']}/assets", json=body, headers=auth)
    assert response.status_code == 400 and response.json["detail"].startswith("Invalid value for 'asset_ids'")
