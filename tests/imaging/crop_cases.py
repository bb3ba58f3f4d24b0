"""The crop-quality set: scikit-image's bundled photographs, with hand-labelled subjects.

Each case is a photograph (or a composition made from one), a platform size to crop it to
and the boxes, in source pixels, of what the crop must keep: faces (eyebrows to chin, cheek
to cheek or ear to nose) and whole subjects (a person, a rocket, a cup). Shared by the
crop-quality tests and `bench/crop_quality.py`, so both measure the same thing.
"""
from __future__ import annotations

from dataclasses import dataclass

from PIL import Image, ImageFilter, ImageOps

from tests.photos import photograph

Box = tuple[float, float, float, float]
ASTRONAUT_FACE: Box = (174, 92, 250, 178)
ASTRONAUT_PERSON: Box = (20, 15, 372, 512)
CAMERAMAN_FACE: Box = (182, 132, 256, 197)   # in profile, facing right


@dataclass(frozen=True)
class Subject:
    """A labelled box. A face must be kept whole (≥ 95% of it); for a whole subject the
    share is of as much of it as the window can hold (a 350 px person in a 288 px window)."""

    kind: str   # "face" or "subject"
    box: Box

    def kept(self, window: Box) -> float:
        """Share of this subject inside the crop window (1.0: all that can fit)."""
        left, top, right, bottom = self.box
        overlap_w = max(0.0, min(right, window[2]) - max(left, window[0]))
        overlap_h = max(0.0, min(bottom, window[3]) - max(top, window[1]))
        width, height = right - left, bottom - top
        if self.kind == "subject":
            width = min(width, window[2] - window[0])
            height = min(height, window[3] - window[1])
        return overlap_w * overlap_h / (width * height)


@dataclass(frozen=True)
class Case:
    """One photograph, the size it is cropped to, and what the crop must keep.

    `either`: the subjects are alternatives (two people who cannot both fit): the crop must
    keep one of them whole and cut none.
    """

    name: str
    size: tuple[int, int]
    subjects: tuple[Subject, ...]
    either: bool = False

    def image(self) -> Image.Image:
        return BUILDERS[self.name.split(" ")[0]]()

    def shares(self, window: Box) -> list[float]:
        return [subject.kept(window) for subject in self.subjects]

    def passes(self, window: Box) -> bool:
        """Every subject kept (faces ≥ 95%), or for `either`: one kept, none split."""
        shares = self.shares(window)
        if self.either:
            return max(shares) >= 0.95 and all(s >= 0.95 or s <= 0.05 for s in shares)
        return all(share >= 0.95 for share in shares)


def _moved(box: Box, dx: float = 0, dy: float = 0) -> Box:
    return (box[0] + dx, box[1] + dy, box[2] + dx, box[3] + dy)


def _mirrored(box: Box, width: float) -> Box:
    return (width - box[2], box[1], width - box[0], box[3])


def wide_backdrop() -> Image.Image:
    """The astronaut off-centre (at x 1000) on a 1536×512 blurred, stretched copy of herself."""
    astronaut = photograph("astronaut")
    canvas = astronaut.resize((1536, 512)).filter(ImageFilter.GaussianBlur(24))
    canvas.paste(astronaut, (1000, 0))
    return canvas


def face_at_edge() -> Image.Image:
    """A 262×200 strip of the astronaut: her face 12 px from the right edge."""
    return photograph("astronaut").crop((0, 40, 262, 240))


def two_people() -> Image.Image:
    """The astronaut and her mirror image side by side (1024×512)."""
    astronaut = photograph("astronaut")
    canvas = Image.new("RGB", (1024, 512))
    canvas.paste(astronaut, (0, 0))
    canvas.paste(ImageOps.mirror(astronaut), (512, 0))
    return canvas


BUILDERS = {
    "astronaut": lambda: photograph("astronaut"),
    "camera": lambda: photograph("camera"),
    "chelsea": lambda: photograph("chelsea"),
    "coffee": lambda: photograph("coffee"),
    "rocket": lambda: photograph("rocket"),
    "backdrop": wide_backdrop,
    "edge": face_at_edge,
    "pair": two_people,
}

CASES = (
    Case("backdrop square", (1080, 1080),
         (Subject("face", _moved(ASTRONAUT_FACE, 1000)), Subject("subject", _moved(ASTRONAUT_PERSON, 1000)))),
    Case("backdrop story", (1080, 1920),
         (Subject("face", _moved(ASTRONAUT_FACE, 1000)), Subject("subject", _moved(ASTRONAUT_PERSON, 1000)))),
    Case("astronaut twitter header", (1500, 500), (Subject("face", ASTRONAUT_FACE),)),
    Case("astronaut linkedin cover", (1128, 191), (Subject("face", ASTRONAUT_FACE),)),
    Case("edge square", (1080, 1080), (Subject("face", _moved(ASTRONAUT_FACE, dy=-40)),)),
    Case("rocket story", (1080, 1920), (Subject("subject", (306, 125, 338, 405)),)),
    Case("coffee story", (1080, 1920), (Subject("subject", (172, 18, 408, 300)),)),
    Case("camera twitter header", (1500, 500), (Subject("face", CAMERAMAN_FACE),)),
    Case("pair portrait", (1080, 1350),
         (Subject("face", ASTRONAUT_FACE), Subject("face", _mirrored(ASTRONAUT_FACE, 1024))), either=True),
    Case("chelsea twitter header", (1500, 500), (Subject("subject", (133, 82, 345, 165)),)),
)
