"""Fake Stability AI v2beta (providers.md §1): multipart in, image bytes or JSON out; and
the account balance (`GET /v1/user/balance`, `{"credits": n}`)."""
from __future__ import annotations

import base64
import io
import secrets

from PIL import Image
from werkzeug.wrappers import Request, Response

from .server import FakeServer, json_response, png_bytes

ASYNC_PATHS = {"/v2beta/stable-image/edit/replace-background-and-relight",
               "/v2beta/stable-image/upscale/creative"}
REQUIRED = {
    "generate": ("prompt",), "edit/inpaint": ("image", "prompt"),
    "edit/search-and-replace": ("image", "prompt", "search_prompt"),
    "edit/search-and-recolor": ("image", "prompt", "select_prompt"),
    "upscale/conservative": ("image", "prompt"), "upscale/creative": ("image", "prompt"),
    "control/sketch": ("image", "prompt"), "control/structure": ("image", "prompt"),
    "control/style": ("image", "prompt"),
    "control/style-transfer": ("init_image", "style_image"),
    "edit/replace-background-and-relight": ("subject_image",),
}
WIRE_FORMATS = {"JPEG", "PNG", "WEBP"}
MAX_BODY = 10 * 1024 * 1024   # "Max request size | 10 MiB -> 413" (providers.md §1.1)
RATIOS = {"21:9": (1536, 640), "16:9": (1344, 768), "3:2": (1216, 832), "5:4": (1152, 896),
          "1:1": (1024, 1024), "4:5": (896, 1152), "2:3": (832, 1216), "9:16": (768, 1344),
          "9:21": (640, 1536)}


class FakeStability(FakeServer):
    """Knobs: `finish_reason`, `async_pending` (202 polls before done), `seed`, `credits`
    (the account balance)."""

    def __init__(self, key: str):
        super().__init__(key)
        self.finish_reason = "SUCCESS"
        self.async_pending = 1
        self.seed = 1234
        self.credits = 12.5
        self.jobs: dict[str, int] = {}

    def error_body(self, status: int, message: str) -> dict:
        names = {400: "bad_request", 401: "unauthorized", 403: "content_moderation",
                 404: "generation_not_found", 429: "rate_limit_exceeded", 500: "internal_error"}
        return {"id": secrets.token_hex(16), "name": names.get(status, "error"),
                "errors": [message]}

    def moderate(self, times: int = 1) -> None:
        self.fail(times, 403, "Your request was flagged by our content moderation system, as a "
                  "result your request was denied and you were not charged.")

    def handle(self, request: Request) -> Response:
        if (request.content_length or 0) > MAX_BODY:
            return json_response({"id": secrets.token_hex(16), "name": "payload_too_large",
                                  "errors": ["body: payloads cannot be larger than 10MiB in size"]},
                                 413)
        if request.headers.get("Authorization") != f"Bearer {self.key}":
            return json_response(self.error_body(401, "authorization: invalid key"), 401)
        if request.method == "GET" and request.path == "/v1/user/balance":
            return json_response({"credits": self.credits})
        if request.method == "GET" and request.path.startswith("/v2beta/results/"):
            return self._result(request, request.path.rsplit("/", 1)[1])
        if request.method != "POST" or not request.path.startswith("/v2beta/stable-image/"):
            return json_response(self.error_body(404, "not found"), 404)
        if request.mimetype != "multipart/form-data":
            return json_response(self.error_body(400, "body: must be multipart/form-data"), 400)
        fields = {**request.form, **request.files}
        route = request.path.removeprefix("/v2beta/stable-image/")
        needed = REQUIRED.get(route.split("/")[0] if route.startswith("generate") else route,
                              ("image",))
        missing = [name for name in needed if not fields.get(name)]
        if missing:
            return json_response(self.error_body(400, f"{missing[0]}: is required"), 400)
        unreadable = [name for name, upload in request.files.items()
                      if name != "none" and _format(upload) not in WIRE_FORMATS]
        if unreadable:   # every image part ("none" only makes a generate multipart): "Supported
            # Formats: jpeg, png, webp" (the v2beta spec)
            return json_response(self.error_body(400, f"{unreadable[0]}: unsupported image format"), 400)
        if request.path in ASYNC_PATHS:
            job_id = secrets.token_hex(32)
            self.jobs[job_id] = self.async_pending
            return json_response({"id": job_id})
        return self._image(request, self._size(request, route))

    def _size(self, request: Request, route: str) -> tuple[int, int]:
        if route.startswith("generate") or route == "control/style":
            return RATIOS.get(request.form.get("aspect_ratio", "1:1"), (1024, 1024))
        with _open(request) as image:
            width, height = image.size
        return (width * 4, height * 4) if route == "upscale/fast" else (width, height)

    def _result(self, request: Request, job_id: str) -> Response:
        if job_id not in self.jobs:
            return json_response(self.error_body(
                404, "id: the generation either does not exist or has expired."), 404)
        if self.jobs[job_id] > 0:
            self.jobs[job_id] -= 1
            return json_response({"id": job_id, "status": "in-progress"}, 202)
        return self._image(request, (256, 256))

    def _image(self, request: Request, size: tuple[int, int]) -> Response:
        data = png_bytes(*size)
        if request.headers.get("Accept") == "application/json":
            return Response(
                f'{{"image": "{base64.b64encode(data).decode()}", '
                f'"finish_reason": "{self.finish_reason}", "seed": {self.seed}}}',
                content_type="application/json; type=image/png")
        return Response(data, content_type="image/png",
                        headers={"finish-reason": self.finish_reason, "seed": str(self.seed)})


def _format(upload) -> str | None:
    upload.stream.seek(0)
    try:
        with Image.open(io.BytesIO(upload.read())) as image:
            return image.format
    except OSError:
        return None


def _open(request: Request) -> Image.Image:
    upload = request.files.get("image") or request.files.get("init_image")
    upload.stream.seek(0)
    return Image.open(io.BytesIO(upload.read()))
