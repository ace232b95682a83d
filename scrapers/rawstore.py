"""Raw responses on disk: every body with its URL, status, headers, fetch time and sha256."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import urlparse

from retskilde.scrapers.files import atomic_write

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXTENSIONS = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/xml": ".xml",
    "text/xml": ".xml",
    "text/plain": ".txt",
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "text/markdown": ".md",
    "application/json": ".json.txt",
}


@dataclass(frozen=True)
class Snapshot:
    """One stored 200 response: where it came from and which bytes it holds."""

    url: str
    final_url: str
    status: int
    headers: dict[str, str]
    fetched_at: str
    sha256: str
    file: str

    @property
    def etag(self) -> str | None:
        """The ETag the server sent with this copy."""
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        """The Last-Modified the server sent with this copy."""
        return self.headers.get("last-modified")


def url_key(url: str) -> str:
    """A folder name for `url`: readable host and path, plus a hash so it stays unique and short."""
    parts = urlparse(url)
    readable = _UNSAFE.sub("_", f"{parts.netloc}{parts.path}").strip("_")[:90]
    digest = hashlib.sha1(url.encode("utf-8")).hexdigest()[:12]
    return f"{readable}-{digest}"


def _extension(headers: dict[str, str]) -> str:
    content_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    return _EXTENSIONS.get(content_type, ".bin")


class RawStore:
    """Raw snapshots: `<key>/<sha256><ext>`, `<key>/latest.json` and `<key>/log.jsonl`."""

    def __init__(self, folder: Path):
        self.folder = folder

    def _dir(self, url: str) -> Path:
        return self.folder / url_key(url)

    def latest(self, url: str) -> Snapshot | None:
        """The newest stored 200 response for `url`, if its body is still on disk."""
        meta = self._dir(url) / "latest.json"
        try:
            snapshot = Snapshot(**json.loads(meta.read_text(encoding="utf-8")))
        except (FileNotFoundError, ValueError, TypeError):
            return None
        return snapshot if (self._dir(url) / snapshot.file).is_file() else None

    def body(self, snapshot: Snapshot) -> bytes:
        """The stored bytes of `snapshot`."""
        return (self._dir(snapshot.url) / snapshot.file).read_bytes()

    def save(
        self,
        url: str,
        final_url: str,
        status: int,
        headers: dict[str, str],
        fetched_at: str,
        content: bytes,
    ) -> Snapshot:
        """Keep a 200 response body and make it the latest snapshot of `url`."""
        sha256 = hashlib.sha256(content).hexdigest()
        folder = self._dir(url)
        name = f"{sha256}{_extension(headers)}"
        body_path = folder / name
        # Content-addressed: an unchanged page is the same file, so history costs nothing extra.
        if not body_path.is_file():
            atomic_write(body_path, content)
        snapshot = Snapshot(url, final_url, status, headers, fetched_at, sha256, name)
        meta = json.dumps(asdict(snapshot), ensure_ascii=False, indent=2).encode("utf-8")
        atomic_write(folder / "latest.json", meta)
        self.log(url, status, headers, fetched_at, sha256=sha256, final_url=final_url)
        return snapshot

    def log(
        self,
        url: str,
        status: int | None,
        headers: dict[str, str],
        fetched_at: str,
        *,
        sha256: str | None = None,
        final_url: str | None = None,
        error: str | None = None,
    ) -> None:
        """Append one response (or failed attempt) to the URL's log."""
        entry = {
            "url": url,
            "final_url": final_url or url,
            "status": status,
            "fetched_at": fetched_at,
            "sha256": sha256,
            "headers": headers,
        }
        if error:
            entry["error"] = error
        folder = self._dir(url)
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / "log.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry, ensure_ascii=False) + "\n")
