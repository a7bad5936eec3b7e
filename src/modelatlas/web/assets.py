"""What pages load besides their own files: the Vega libraries and the Chinese font, both offline.

The Vega, Vega-Lite and Vega-Embed JavaScript is bundled by vl-convert: no CDN, ever.

vl-convert carries the libraries' sources; ``javascript_bundle()`` links them into one script (about
900 kB) that sets ``window.vegaEmbed``. Linking takes a few seconds, so the result is kept in memory
and in the user cache directory, keyed by the Vega and Vega-Lite versions.
"""

from __future__ import annotations

import threading

import platformdirs
import vl_convert
from fastapi.responses import FileResponse, Response

from modelatlas.files import write_atomic
from modelatlas.report.images import FONT_DIR

__all__ = ["cjk_font", "vega_bundle", "vega_javascript"]

_lock = threading.Lock()
_bundle: bytes | None = None


def vega_javascript() -> bytes:
    """The bundle, linked once per vl-convert version and then read from the cache."""
    global _bundle
    with _lock:
        if _bundle is None:
            key = f"{vl_convert.get_vega_version()}-{vl_convert.get_vegalite_versions()[-1]}"
            cache = platformdirs.user_cache_path("modelatlas") / f"vega-bundle-{key}.js"
            if cache.exists():
                _bundle = cache.read_bytes()
            else:
                _bundle = vl_convert.javascript_bundle().encode()  # type: ignore[call-arg]  # snippet is optional
                cache.parent.mkdir(parents=True, exist_ok=True)
                write_atomic(cache, _bundle)
        return _bundle


def vega_bundle() -> Response:
    return Response(
        vega_javascript(),
        media_type="application/javascript",
        headers={"Cache-Control": "public, max-age=86400"},
    )


def cjk_font() -> FileResponse:
    """The bundled subset of Noto Sans CJK SC (OFL), so Chinese shows on machines without a CJK font."""
    font = next(FONT_DIR.glob("*.otf"))
    return FileResponse(font, media_type="font/otf", headers={"Cache-Control": "public, max-age=604800"})
