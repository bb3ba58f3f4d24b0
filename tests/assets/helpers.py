"""Assets stored straight through the service, for tests that need rows rather than studio runs."""
from itertools import count

from app.assets.service import store_result
from tests.fakes.server import png_bytes

_SIDES = count(8)


def store(app, user_id, mime="image/png", side=None, *, studio="create", operation="generate",
          provider="sandbox", model="sandbox", group_id=None, **details):
    """A stored PNG; each call's bytes differ (identical bytes of one user are stored once)."""
    side = side or next(_SIDES) + 1000
    with app.test_request_context():
        return store_result(user_id, studio=studio, operation=operation, data=png_bytes(side, 8),
                            mime_type=mime, width=side, height=8, provider=provider, model=model,
                            details=details or None, group_id=group_id)
