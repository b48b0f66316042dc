"""Offline map assets: Leaflet and plugin JavaScript/CSS inlined from the folium-offline package.

folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">`` tags. The
PyPI package ``folium-offline`` (import name ``offlinefolium``) ships the same files as Python
strings keyed by those URLs; :func:`inline_assets` swaps every such tag for the file content so
that an exported map opens with no network.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from lvliang_coverage.errors import OfflineError

_SCRIPT_TAG = re.compile(r'<script\s+src="(?P<url>https?://[^"]+)"\s*>\s*</script>', re.IGNORECASE)
_CSS_TAG = re.compile(
    r'<link\s+rel="stylesheet"\s+href="(?P<url>https?://[^"]+)"\s*/?>', re.IGNORECASE
)


@functools.cache
def _store() -> Mapping[str, str]:
    """All asset texts of folium-offline, keyed by their CDN URL."""
    try:
        from offlinefolium import elements  # noqa: PLC0415  (large module: import on demand)
    except ImportError as exc:  # pragma: no cover - the package is a dependency
        msg = (
            "未安装离线地图资源包 folium-offline，请用 pip install folium-offline 安装 / "
            "the map assets package 'folium-offline' is not installed; "
            "install it with: pip install folium-offline"
        )
        raise OfflineError(msg) from exc
    return dict(elements._res)


def _basename(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1].split("?", 1)[0]


def asset_text(url: str) -> str:
    """Text of the asset folium links at ``url`` (exact URL, else a unique file-name match).

    Parameters
    ----------
    url : str
        The CDN URL written by folium or a plugin.

    Returns
    -------
    str
        The JavaScript or CSS source.

    Raises
    ------
    OfflineError
        When no bundled asset matches, so the map could not work offline.
    """
    store = _store()
    if url in store:
        return store[url]
    name = _basename(url)
    matches = [key for key in store if _basename(key) == name]
    if len(matches) == 1:
        return store[matches[0]]
    msg = (
        f"缺少地图资源 {url} 的离线副本，无法嵌入 / "
        f"no offline copy of map asset {url}; it cannot be embedded"
    )
    raise OfflineError(msg)


def leaflet_urls() -> tuple[str, str]:
    """URLs (keys of the bundled store) of Leaflet's JavaScript and CSS.

    Returns
    -------
    tuple of str
        ``(js_url, css_url)``.
    """
    store = _store()
    js = [k for k in store if "/leaflet@" in k and k.endswith("/leaflet.js")]
    css = [k for k in store if "/leaflet@" in k and k.endswith("/leaflet.css")]
    if not js or not css:  # pragma: no cover - depends on the installed package
        msg = "folium-offline 未包含 Leaflet / folium-offline does not bundle Leaflet"
        raise OfflineError(msg)
    return sorted(js)[-1], sorted(css)[-1]


def _safe_script(source: str) -> str:
    """Guard an inline script against an early ``</script>`` end tag."""
    return re.sub(r"</(script)", r"<\\/\1", source, flags=re.IGNORECASE)


def inline_assets(html: str) -> str:
    """Replace every external ``<script src>`` and stylesheet ``<link>`` by the inline asset.

    Parameters
    ----------
    html : str
        A page rendered by folium.

    Returns
    -------
    str
        The same page with no external script or stylesheet URL left.

    Raises
    ------
    OfflineError
        When a linked asset has no bundled copy.
    """

    def script(match: re.Match[str]) -> str:
        return "<script>" + _safe_script(asset_text(match["url"])) + "</script>"

    def style(match: re.Match[str]) -> str:
        return "<style>" + asset_text(match["url"]).replace("</style", "<\\/style") + "</style>"

    return _CSS_TAG.sub(style, _SCRIPT_TAG.sub(script, html))
