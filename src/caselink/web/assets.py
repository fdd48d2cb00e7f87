"""Static assets served with content-hash fingerprints, so browsers may cache them for a year.

The files come from node_modules (installed by `npm ci`) and from web/static. A URL like
/static/govuk-frontend.min.3f2a9c1b.css names the content; a changed file gets a new URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from caselink.platform.errors import ConfigurationError

WEB_STATIC = Path(__file__).parent / "static"

# logical name -> path relative to node_modules (or to web/static when it starts with "web:")
ASSET_SOURCES = {
    "govuk-frontend.min.css": "govuk-frontend/dist/govuk/govuk-frontend.min.css",
    "govuk-frontend.min.js": "govuk-frontend/dist/govuk/govuk-frontend.min.js",
    "moj-frontend.min.css": "@ministryofjustice/frontend/moj/moj-frontend.min.css",
    "moj-frontend.min.js": "@ministryofjustice/frontend/moj/moj-frontend.min.js",
    "htmx.min.js": "htmx.org/dist/htmx.min.js",
    # The interactive API reference (/developers/api), served from here rather than a CDN.
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "api-reference.js": "web:api-reference.js",
    "application.css": "web:application.css",
}

CONTENT_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}


@dataclass(frozen=True)
class Asset:
    logical_name: str
    path: Path
    url: str
    content_type: str


class AssetManifest:
    def __init__(self, node_modules: Path, extra: dict[str, str] | None = None) -> None:
        self.node_modules = node_modules
        self.by_logical: dict[str, Asset] = {}
        self.by_url_name: dict[str, Asset] = {}
        sources = dict(ASSET_SOURCES)
        sources.update(extra or {})
        missing = []
        for logical, source in sources.items():
            path = WEB_STATIC / source[4:] if source.startswith("web:") else node_modules / source
            if not path.exists():
                missing.append(str(path))
                continue
            digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
            stem, _, ext = logical.rpartition(".")
            url_name = f"{stem}.{digest}.{ext}"
            asset = Asset(
                logical, path, f"/static/{url_name}", CONTENT_TYPES.get(f".{ext}", "application/octet-stream")
            )
            self.by_logical[logical] = asset
            self.by_url_name[url_name] = asset
        if missing:
            raise ConfigurationError(
                f"Front-end assets are missing ({missing[0]}); run `npm ci` in the project folder "
                "(`make run` does this), or set CASELINK_ASSETS_DIR to a node_modules folder that has them."
            )

    def url(self, logical_name: str) -> str:
        return self.by_logical[logical_name].url

    @property
    def govuk_assets_dir(self) -> Path:
        return self.node_modules / "govuk-frontend" / "dist" / "govuk" / "assets"
