"""The project's own page script and style for maps: layer decoding, popups, search, panels."""

from __future__ import annotations

FONT_STACK = (
    '"Microsoft YaHei","PingFang SC","Hiragino Sans GB","Noto Sans CJK SC","Noto Sans SC",'
    '"Source Han Sans SC","WenQuanYi Micro Hei",Arial,sans-serif'
)

STYLE = (
    """
.leaflet-container{background:#f3f1ec;font-family:FONTS}
.lvc-title{position:absolute;top:10px;left:50%;transform:translateX(-50%);z-index:1000;
 background:rgba(255,255,255,.93);padding:6px 16px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.35);font:600 18px/1.35 FONTS;text-align:center;
 max-width:calc(100% - 640px)}
.lvc-synthetic{display:inline-block;margin:2px 0 0 8px;padding:1px 8px;border-radius:4px;
 background:#d9480f;color:#fff;font-size:13px;font-weight:600;vertical-align:middle}
.lvc-note{background:rgba(255,255,255,.88);padding:3px 8px;font-size:12px;border-radius:4px;
 max-width:460px;line-height:1.4}
.lvc-legend{background:rgba(255,255,255,.95);padding:6px 10px;border-radius:6px;
 box-shadow:0 1px 5px rgba(0,0,0,.35);font-size:13px;line-height:1.5;
 max-height:calc(100vh - 60px);overflow:auto;max-width:300px}
.leaflet-top.leaflet-left .leaflet-control-layers{max-height:calc(100vh - 300px);overflow-y:auto}
.lvc-legend h4{margin:0 0 2px;font-size:14px}
.lvc-legend h5{margin:5px 0 1px;font-size:13px;color:#222}
.lvc-legend-results{margin-bottom:4px}
.lvc-legend-results .lvc-legend-block{margin-top:5px}
.lvc-legend details{border-top:1px solid #ddd;padding:2px 0}
.lvc-legend summary{cursor:pointer;font-size:13px;color:#333;font-weight:600}
.lvc-legend-row{display:flex;align-items:center;gap:6px;white-space:nowrap}
.lvc-legend-row svg{flex:none}
.lvc-legend-note{color:#444;white-space:normal}
.lvc-offline{display:none;background:rgba(255,255,255,.93);padding:3px 8px;border-radius:4px;
 font-size:13px;color:#7a4b00;border:1px solid #e0b060}
.lvc-base-offline .lvc-offline{display:block}
.lvc-base-state{display:none}
.lvc-base-ok .lvc-base-state-ok,.lvc-base-offline .lvc-base-state-offline,
.lvc-base-none .lvc-base-state-none,.lvc-base-wait .lvc-base-state-wait{display:block}
.lvc-label{background:none;border:none}
.lvc-label span{position:absolute;transform:translate(-50%,-50%);white-space:nowrap;
 pointer-events:none;text-shadow:0 0 3px #fff,0 0 3px #fff,0 0 3px #fff}
.lvc-label-county span{font:700 15px/1.2 FONTS;color:#222}
.lvc-label-township span{font:12px/1.2 FONTS;color:#333}
.lvc-icon{background:none;border:none}
.lvc-popup{font-size:12px;line-height:1.45}
.lvc-popup table{border-collapse:collapse}
.lvc-popup th{text-align:left;font-weight:normal;color:#555;padding:1px 10px 1px 0;
 white-space:nowrap}
.lvc-popup td{padding:1px 0;font-weight:600}
.lvc-popup-title{font-weight:700;font-size:14px;margin-bottom:4px}
.lvc-popup-note{font-weight:600;font-size:13px;margin:0 0 5px;white-space:normal}
.lvc-search{background:#fff;padding:4px}
.lvc-search input{width:190px;font-size:14px;border:1px solid #bbb;padding:3px 6px;
 border-radius:3px}
.lvc-search-results{max-height:260px;overflow:auto}
.lvc-search-item{padding:3px 6px;cursor:pointer;font-size:13px}
.lvc-search-item:hover,.lvc-search-item.lvc-active{background:#e7f0fd}
.lvc-search-none{padding:3px 6px;color:#888;font-size:13px}
"""
).replace("FONTS", FONT_STACK)

SCRIPT = """
(function () {
  "use strict";
  if (window.LVC) { return; }
  var SCALE = 100000;
  var records = [];
  var groups = [];
  // popups pan clear of the title (top) and the legend (right)
  var POPUP = {maxWidth: 440, autoPanPaddingTopLeft: [60, 95],
               autoPanPaddingBottomRight: [300, 30]};
  var canvas = null;

  function decode(xy) {
    var n = xy.length, out = new Float64Array(n), x = 0, y = 0;
    for (var i = 0; i < n; i += 2) {
      x += xy[i]; y += xy[i + 1];
      out[i] = x / SCALE; out[i + 1] = y / SCALE;
    }
    return out;
  }
  function ring(c, a, b) {
    var r = new Array(b - a);
    for (var i = a; i < b; i++) { r[i - a] = [c[2 * i + 1], c[2 * i]]; }
    return r;
  }
  function lineParts(c, o, i, out) {
    for (var j = o[1][i]; j < o[1][i + 1]; j++) { out.push(ring(c, o[0][j], o[0][j + 1])); }
    return out;
  }
  function areaParts(c, o, i, out) {
    for (var k = o[2][i]; k < o[2][i + 1]; k++) {
      var rings = [];
      for (var j = o[1][k]; j < o[1][k + 1]; j++) { rings.push(ring(c, o[0][j], o[0][j + 1])); }
      out.push(rings);
    }
    return out;
  }
  function popupHtml(spec, i) {
    var h = '<div class="lvc-popup">';
    if (spec.tip) { h += '<div class="lvc-popup-title">' + spec.tip[i] + '</div>'; }
    if (spec.note && spec.note[i]) {
      h += '<div class="lvc-popup-note">' + spec.note[i] + '</div>';
    }
    if (spec.cols && spec.cols.length) {
      h += '<table>';
      for (var j = 0; j < spec.cols.length; j++) {
        h += '<tr><th>' + spec.cols[j] + '</th><td>' + spec.rows[i][j] + '</td></tr>';
      }
      h += '</table>';
    }
    return h + '</div>';
  }
  function options(style, extra) {
    var o = {};
    // one shared canvas renderer for all data layers; the map's default stays SVG so that
    // plugins drawing their own vectors (distance measuring) keep working
    if (!canvas) { canvas = L.canvas({padding: 0.5, tolerance: 3}); }
    o.renderer = canvas;
    var own = Object.prototype.hasOwnProperty;
    for (var key in style) { if (own.call(style, key)) { o[key] = style[key]; } }
    for (var k2 in extra) { if (own.call(extra, k2)) { o[k2] = extra[k2]; } }
    return o;
  }
  function buildSpec(spec, group) {
    var c = decode(spec.geom.xy), o = spec.geom.o, g = spec.geom.g, n = spec.n;
    var subs = spec.cats.map(function () { return L.layerGroup(); });
    var icons = spec.cats.map(function (s) {
      if (!s.icon) { return null; }
      var z = s.size;
      return L.divIcon({html: s.icon, className: "lvc-icon", iconSize: [z, z],
        iconAnchor: [z / 2, z / 2], popupAnchor: [0, -z / 2], tooltipAnchor: [z / 2, 0]});
    });
    var i, k, s;
    var dots = (spec.dotsBelow && g === "P") ? L.layerGroup() : null;
    if (spec.merge) {
      var parts = spec.cats.map(function () { return []; });
      for (i = 0; i < n; i++) {
        k = spec.k ? spec.k[i] : 0;
        if (g === "L") { lineParts(c, o, i, parts[k]); } else { areaParts(c, o, i, parts[k]); }
      }
      spec.cats.forEach(function (cat, kk) {
        if (!parts[kk].length) { return; }
        subs[kk].addLayer(g === "L" ? L.polyline(parts[kk], options(cat.style, {}))
                                    : L.polygon(parts[kk], options(cat.style, {})));
      });
    } else {
      for (i = 0; i < n; i++) {
        k = spec.k ? spec.k[i] : 0; s = spec.cats[k];
        var lyr;
        if (g === "P") {
          var ll = [c[2 * i + 1], c[2 * i]];
          if (spec.mode === "marker") {
            lyr = L.marker(ll, {icon: icons[k], keyboard: false});
          } else if (spec.mode === "label") {
            lyr = L.marker(ll, {icon: L.divIcon({html: "<span>" + spec.text[i] + "</span>",
              className: "lvc-label " + (spec.cls || ""), iconSize: null}),
              interactive: false, keyboard: false, zIndexOffset: 1000});
          } else if (spec.mode === "circle") {
            lyr = L.circle(ll, options(s.style, {radius: spec.radius_m}));
          } else {
            lyr = L.circleMarker(ll, options(s.style, spec.r ? {radius: spec.r[i]} : {}));
          }
        } else if (g === "L") {
          lyr = L.polyline(lineParts(c, o, i, []), options(s.style, {}));
        } else {
          lyr = L.polygon(areaParts(c, o, i, []), options(s.style, {}));
        }
        lyr._lvc = i;
        if (spec.rows) {
          lyr.bindPopup(function (l) { return popupHtml(spec, l._lvc); }, POPUP);
        }
        if (spec.tip) {
          lyr.bindTooltip(function (l) { return spec.tip[l._lvc]; }, {sticky: g !== "P"});
          if (spec.search) {
            records.push({name: spec.tip[i], key: spec.tip[i].toLowerCase(), layer: lyr,
                          group: group});
          }
        }
        subs[k].addLayer(lyr);
        if (dots) {
          var dot = L.circleMarker(lyr.getLatLng(), options(spec.dot, {}));
          dot._lvc = i;
          if (spec.rows) {
            dot.bindPopup(function (l) { return popupHtml(spec, l._lvc); }, POPUP);
          }
          if (spec.tip) { dot.bindTooltip(function (l) { return spec.tip[l._lvc]; }); }
          dots.addLayer(dot);
        }
      }
    }
    var map = null;
    var ranged = spec.minZoom != null || spec.maxZoom != null;
    function update() {
      var z = map ? map.getZoom() : 99;
      var out = (spec.minZoom != null && z < spec.minZoom) ||
                (spec.maxZoom != null && z >= spec.maxZoom);
      if (out) {
        subs.forEach(function (sub) { group.removeLayer(sub); });
        if (dots) { group.removeLayer(dots); }
        return;
      }
      if (dots) {
        var low = z < spec.dotsBelow;
        subs.forEach(function (sub) { if (low) { group.removeLayer(sub); } });
        if (low && !group.hasLayer(dots)) { group.addLayer(dots); }
        if (!low && group.hasLayer(dots)) { group.removeLayer(dots); }
        if (low) { return; }
      }
      spec.cats.forEach(function (cat, kk) {
        var show = !cat.minZoom || z >= cat.minZoom;
        if (show && !group.hasLayer(subs[kk])) { group.addLayer(subs[kk]); }
        if (!show && group.hasLayer(subs[kk])) { group.removeLayer(subs[kk]); }
      });
    }
    function refresh() { update(); restackSoon(); }
    group.on("add", function () { map = group._map; map.on("zoomend", refresh); refresh(); });
    group.on("remove", function () { if (map) { map.off("zoomend", refresh); } });
    spec.cats.forEach(function (cat, kk) {
      if (!cat.minZoom && !ranged) { group.addLayer(subs[kk]); }
    });
    spec._subs = dots ? subs.concat([dots]) : subs;
  }
  // One canvas draws every data layer and the last drawn is the one clicked, so layers that
  // come back on a zoom change would cover the others: keep areas at the back, then lines,
  // then the dots (villages, sites) on top.
  var restackPending = false;
  function restack() {
    restackPending = false;
    ["L", "P"].forEach(function (family) {
      groups.forEach(function (rec) {
        if (!rec.group._map) { return; }
        rec.specs.forEach(function (spec) {
          if (spec.geom.g !== family || !spec._subs || spec.mode) { return; }
          spec._subs.forEach(function (sub) {
            if (!rec.group.hasLayer(sub)) { return; }
            sub.eachLayer(function (l) { if (l._map && l.bringToFront) { l.bringToFront(); } });
          });
        });
      });
    });
  }
  function restackSoon() {
    if (!restackPending) { restackPending = true; setTimeout(restack, 0); }
  }
  function build(name, specs) {
    var group = L.featureGroup();
    specs.forEach(function (spec) { buildSpec(spec, group); });
    groups.push({name: name || "", group: group, specs: specs});
    return group;
  }
  function baseState(map, state) {
    if (!map) { return; }
    var c = map.getContainer();
    ["ok", "offline", "none", "wait"].forEach(function (s) {
      L.DomUtil.removeClass(c, "lvc-base-" + s);
    });
    L.DomUtil.addClass(c, "lvc-base-" + state);
  }
  // a base map whose attribution is shown only once a tile has really loaded; when tiles
  // fail before any loads (offline) the map says so in one line (the .lvc-offline panel)
  function tiles(list, attribution) {
    var group = L.layerGroup(), map = null, loaded = false, claimed = false;
    list.forEach(function (t) {
      var layer = L.tileLayer(t[0], t[1]);
      layer.on("tileload", function () {
        if (!map) { return; }
        if (!loaded) { loaded = true; baseState(map, "ok"); }
        if (!claimed && attribution && map.attributionControl) {
          map.attributionControl.addAttribution(attribution); claimed = true;
        }
      });
      layer.on("tileerror", function () { if (map && !loaded) { baseState(map, "offline"); } });
      group.addLayer(layer);
    });
    group.on("add", function () {
      map = group._map; loaded = false;
      baseState(map, list.length ? "wait" : "none");
    });
    group.on("remove", function () {
      if (claimed && map && map.attributionControl) {
        map.attributionControl.removeAttribution(attribution);
      }
      claimed = false;
    });
    return group;
  }
  function panel(map, position, cls, html) {
    var Ctl = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", cls);
        div.innerHTML = html;
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Ctl({position: position}).addTo(map);
  }
  function title(map, html) {
    var div = L.DomUtil.create("div", "lvc-title", map.getContainer());
    div.innerHTML = html;
    L.DomEvent.disableClickPropagation(div);
    return div;
  }
  function escapeHtml(t) {
    return t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
            .replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }
  function search(map, opts) {
    function go(rec) {
      if (!map.hasLayer(rec.group)) { map.addLayer(rec.group); }
      var ll = rec.layer.getLatLng ? rec.layer.getLatLng() : rec.layer.getBounds().getCenter();
      map.setView(ll, Math.max(map.getZoom(), opts.zoom), {animate: false});
      if (rec.layer._map) { rec.layer.openPopup(ll); }
    }
    var Ctl = L.Control.extend({
      onAdd: function () {
        var div = L.DomUtil.create("div", "lvc-search leaflet-bar");
        var input = L.DomUtil.create("input", "", div);
        input.type = "search";
        input.placeholder = opts.placeholder;
        input.setAttribute("aria-label", opts.placeholder);
        var list = L.DomUtil.create("div", "lvc-search-results", div);
        var hits = [];
        input.addEventListener("input", function () {
          var q = escapeHtml(input.value.trim()).toLowerCase();
          list.innerHTML = ""; hits = [];
          if (!q) { return; }
          for (var i = 0; i < records.length && hits.length < opts.limit; i++) {
            if (records[i].key.indexOf(q) >= 0) { hits.push(records[i]); }
          }
          hits.forEach(function (rec) {
            var item = L.DomUtil.create("div", "lvc-search-item", list);
            item.innerHTML = rec.name;
            item.addEventListener("click", function () { go(rec); });
          });
          if (!hits.length) {
            var none = L.DomUtil.create("div", "lvc-search-none", list);
            none.textContent = opts.notFound;
          }
        });
        input.addEventListener("keydown", function (e) {
          if (e.key === "Enter" && hits.length) { go(hits[0]); }
        });
        L.DomEvent.disableClickPropagation(div);
        L.DomEvent.disableScrollPropagation(div);
        return div;
      }
    });
    return new Ctl({position: opts.position}).addTo(map);
  }
  window.LVC = {build: build, tiles: tiles, panel: panel, title: title, search: search,
                records: records, groups: groups};
})();
"""
