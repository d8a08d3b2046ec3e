"""Where stored photos live: a folder on local disk (the default) or an S3-compatible bucket.

Both hold opaque objects under the random names `photo_cleaning` gives them. Names are checked
against one pattern before they reach a path or a key, so no name can climb out of the folder.
"""

from __future__ import annotations

import asyncio
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Protocol

NAME_PATTERN = re.compile(r"[0-9a-f]{32}(-thumb)?\.(jpg|png|webp)")


class InvalidPhotoName(ValueError):
    pass


def check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise InvalidPhotoName(name)
    return name


class PhotoStorage(Protocol):
    async def put(self, name: str, data: bytes, content_type: str) -> None: ...

    async def get(self, name: str) -> bytes | None:
        """The object's bytes, or None when there is none by that name."""
        ...

    async def delete(self, name: str) -> None:
        """Remove the object; removing one that is not there is not an error."""
        ...


class LocalPhotoStorage:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, name: str) -> Path:
        return self.folder / check_name(name)

    async def put(self, name: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(self._write, self._path(name), data)

    def _write(self, path: Path, data: bytes) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a photo, a crash leaves no photo.
        handle, temporary = tempfile.mkstemp(dir=self.folder, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.replace(temporary, path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    async def get(self, name: str) -> bytes | None:
        path = self._path(name)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except FileNotFoundError:
            return None

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self._path(name).unlink, missing_ok=True)


class S3PhotoStorage:
    """Any S3-compatible store (AWS S3, MinIO, Ceph, R2) through boto3, in worker threads."""

    def __init__(self, bucket: str, *, prefix: str = "", client: Any) -> None:
        self.bucket = bucket
        self.prefix = prefix
        self.client = client

    @classmethod
    def connect(
        cls,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        prefix: str = "",
    ) -> S3PhotoStorage:
        import boto3  # only where S3 is chosen: the local default does not need it installed
        from botocore.config import Config

        client = boto3.client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=Config(
                retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30
            ),
        )
        return cls(bucket, prefix=prefix, client=client)

    def _key(self, name: str) -> str:
        return self.prefix + check_name(name)

    async def ensure_bucket(self) -> bool:
        """Create the bucket unless it exists; True when it was created."""

        def ensure() -> bool:
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except self.client.exceptions.ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("404", "NoSuchBucket"):
                    raise
                self.client.create_bucket(Bucket=self.bucket)
                return True
            return False

        return await asyncio.to_thread(ensure)

    async def put(self, name: str, data: bytes, content_type: str) -> None:
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=self._key(name),
            Body=data,
            ContentType=content_type,
        )

    async def get(self, name: str) -> bytes | None:
        key = self._key(name)

        def read() -> bytes | None:
            try:
                response = self.client.get_object(Bucket=self.bucket, Key=key)
            except self.client.exceptions.NoSuchKey:
                return None
            body: bytes = response["Body"].read()
            return body

        return await asyncio.to_thread(read)

    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.client.delete_object, Bucket=self.bucket, Key=self._key(name))
