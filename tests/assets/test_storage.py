import pytest

from app.assets.storage import FileStorage
from app.errors import NotFound


def test_save_load_delete_round_trip(tmp_path):
    storage = FileStorage(tmp_path)
    storage.save("1/ab/abc.png", b"bytes")
    assert storage.load("1/ab/abc.png") == b"bytes"
    assert [p.name for p in (tmp_path / "1" / "ab").iterdir()] == ["abc.png"]  # no temp file left
    storage.delete("1/ab/abc.png")
    with pytest.raises(NotFound):
        storage.load("1/ab/abc.png")


def test_failed_write_leaves_no_partial_file(tmp_path):
    storage = FileStorage(tmp_path)
    with pytest.raises(TypeError):
        storage.save("k.png", object())  # not bytes: the write fails half-way
    assert list(tmp_path.iterdir()) == []


def test_keys_cannot_escape_the_root(tmp_path):
    with pytest.raises(ValueError):
        FileStorage(tmp_path / "root").save("../outside.png", b"x")
