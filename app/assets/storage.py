"""Where asset bytes live, behind a small interface (filesystem by default).

Writes are atomic (temporary file, fsync, rename), so a crash never leaves a half-written
file under a key a database row points at.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from app.errors import NotFound


class Storage(Protocol):
    def save(self, key: str, data: bytes) -> None: ...
    def load(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...
    def listing(self) -> Iterator[tuple[str, datetime]]: ...


class FileStorage:
    """Keys are relative paths below `root`; they come from our own ids, never from users."""

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key escapes the storage root: {key!r}")
        return path

    def save(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise NotFound("Asset not found") from None

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def listing(self) -> Iterator[tuple[str, datetime]]:
        """Every stored key (temporary files of interrupted writes too) and when it was written."""
        if not self.root.is_dir():
            return
        for path in self.root.rglob("*"):
            if path.is_file():
                written = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                yield path.relative_to(self.root).as_posix(), written


class S3Storage:
    """An S3-compatible bucket, for deployments where several hosts share the assets.

    A PUT is atomic in S3 (readers see the old object or the whole new one), so no temporary
    object is needed. boto3 is imported here only: file-storage installs do not need it.
    """

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None):
        import boto3

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.client = boto3.client("s3", endpoint_url=endpoint_url or None, region_name=region or None)

    def _key(self, key: str) -> str:
        return f"{self.prefix}/{key}" if self.prefix else key

    def save(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self._key(key), Body=data)

    def load(self, key: str) -> bytes:
        from botocore.exceptions import ClientError

        try:
            return self.client.get_object(Bucket=self.bucket, Key=self._key(key))["Body"].read()
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound("Asset not found") from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(key))

    def listing(self) -> Iterator[tuple[str, datetime]]:
        prefix = f"{self.prefix}/" if self.prefix else ""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"][len(prefix):], item["LastModified"]


def from_config(config: Mapping[str, Any]) -> Storage:
    """S3 when IMAGE_STUDIO_S3_BUCKET is set, otherwise files under IMAGE_STUDIO_STORAGE_DIR."""
    if config.get("IMAGE_STUDIO_S3_BUCKET"):
        return S3Storage(config["IMAGE_STUDIO_S3_BUCKET"], config.get("IMAGE_STUDIO_S3_PREFIX") or "",
                         config.get("IMAGE_STUDIO_S3_ENDPOINT_URL"), config.get("IMAGE_STUDIO_S3_REGION"))
    return FileStorage(config["IMAGE_STUDIO_STORAGE_DIR"])
