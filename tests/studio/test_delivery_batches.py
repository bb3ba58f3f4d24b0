"""The delivery studios' batches let each upload's text go once it is decoded: a batch body
may hold MAX_REQUEST_MB of base64, which must not all stay until the answer is sent."""
from __future__ import annotations

import tracemalloc

import pytest

from app.studio import delivery
from tests.delivery_helpers import upload
from tests.imaging.images import noisy

IMAGES = 4


@pytest.mark.parametrize("studio, options", [("compress", {"format": "webp", "quality": 5}),
                                             ("convert-format", {"target_format": "webp", "quality": 5})])
def test_a_batch_holds_only_the_texts_not_yet_decoded(client, auth, monkeypatch, studio, options):
    texts = [upload(noisy(900, 900, seed)) for seed in range(IMAGES)]   # ~3.2 MB of base64 each
    held: list[int] = []
    opened = delivery.open_upload

    def measured(*args, **kwargs):
        held.append(tracemalloc.get_traced_memory()[0])
        return opened(*args, **kwargs)

    monkeypatch.setattr(delivery, "open_upload", measured)
    body = {"images": [{"image_base64": text, **options} for text in texts]}
    tracemalloc.start()
    try:
        response = client.post(f"/api/image-studio/{studio}/batch", json=body, headers=auth)
    finally:
        tracemalloc.stop()
    assert response.status_code == 200 and response.json["successful"] == IMAGES, response.json
    assert len(held) == IMAGES
    freed = held[0] - held[-1]             # by the last image, the first three texts are gone
    assert freed > 0.5 * sum(map(len, texts[:-1])), [f"{n / 2**20:.1f} MiB" for n in held]
