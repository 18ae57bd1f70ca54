/*
 * atelierflash – the public map page (static/publique/publique.js).
 *
 * Runs right after the map's element, before the list below is parsed: draws the map from
 * window.AF_PUBLIC (donnees.js) with carte.js, then, the page whole, loads v/<version>/lieux.js (window.AF_LIEUX:
 * places, summaries, the search's communes) and, when a fiche is opened, its file
 * v/<version>/fiches/<k>.js (which calls AF_FICHES(k, [...])); data.dossier names the folder. The list
 * of the ateliers (v/<version>/liste.js, window.AF_LISTE: the table's HTML, escaped by the
 * Python side) is put under the map once the map is drawn and the document whole. What a visitor chooses lives in the page's address, with the app's own
 * parameter names and formats (atelierflash.filters.FilterState):
 *   ?annees=2021-2024&famille=territoriales&theme=friches&region=32&dep=80&echelle=communale
 *   (also sans_annee=non, statut, equipe from a link copied from the app; embed=1 compact page)
 *   #atelier=ID, #commune=80253, #departement=2A: the open fiche.
 * The map, the counts, the legend and the list follow the filters. Every fiche is written and
 * escaped by the Python side (atelierflash.fiche, atelierflash.carte.publique); the only other
 * texts put here, place names and titles from the data file, go through AF.escape or
 * textContent.
 */
(function () {
  "use strict";
  var data = window.AF_PUBLIC;
  var panel = document.getElementById("fiche");

  // The list: not in index.html (at ×10 the demo, 540 KB of HTML parsed before the polygons
  // showed), but in liste.js, put in its place once the document is whole.
  function whenParsed(done) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", done);
    else done();
  }
  function loadList(done) {
    var wrap = document.getElementById("liste-table");
    var script = document.createElement("script");
    script.src = data.dossier + "liste.js";
    script.onload = function () {
      wrap.innerHTML = window.AF_LISTE; // the export's own HTML, every value escaped
      if (done) done();
    };
    script.onerror = function () {
      wrap.textContent =
        "La liste n'a pas pu être chargée ; téléchargez-la ci-dessus (CSV, GeoJSON).";
    };
    document.body.appendChild(script);
  }

  // Marianne's faces (dsfr/marianne.css): linked once the map has drawn its first frame, so
  // that the four fonts are fetched, and the text laid out again, after the polygons rather
  // than while the map's code runs. Until then the text shows in the DSFR's fallback (Arial),
  // as it does anyway while the fonts arrive (font-display: swap).
  function linkFaces() {
    if (!data || !data.polices) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = data.polices;
    document.head.appendChild(link);
  }
  function afterFrame(done) {
    var called = false;
    function once() {
      if (!called) {
        called = true;
        done();
      }
    }
    requestAnimationFrame(function () {
      setTimeout(once, 0);
    });
    setTimeout(once, 1000); // a hidden document gets no animation frame
  }

  if (!data || !window.L || !window.AF || !AF.basemap) {
    linkFaces();
    if (panel) {
      panel.textContent =
        "La carte n'a pas pu être chargée ; la liste des ateliers reste disponible.";
    }
    if (data && data.dossier) {
      whenParsed(function () {
        loadList();
      });
    }
    return;
  }
  var F = data.filtres;
  var esc = AF.escape;

  // ------------------------------------------------------------------ the map
  var map = L.map("carte", {
    preferCanvas: true,
    zoomSnap: 0.25,
    minZoom: 3,
    maxZoom: 16,
    center: [46.6, 2.4],
    zoom: 6,
  });
  AF.basemap(map, data.base);
  // On a phone (or a small iframe) the legend would hide half of France: it starts folded.
  var compact = document.documentElement.classList.contains("af-embed");
  if ((compact || map.getSize().x < 520 || map.getSize().y < 380) && AF.legendBox) {
    AF.legendBox.classList.add("af-collapsed");
  }
  var group = L.featureGroup().addTo(map);

  // ------------------------------------------------------------------ filter state
  // Parameter names and order as FilterState.to_query_params writes them.
  var LISTS = [
    ["famille", "familles"],
    ["theme", "themes"],
    ["equipe", "equipes"],
    ["statut", "statuts"],
    ["region", "regions"],
    ["dep", "departements"],
    ["echelle", "echelles"],
  ];

  function emptyState() {
    var s = { yearMin: null, yearMax: null, unknownYear: true };
    LISTS.forEach(function (p) {
      s[p[1]] = [];
    });
    return s;
  }

  function readState(search) {
    var params = new URLSearchParams(search);
    var s = emptyState();
    var years = params.get("annees");
    if (years && years.indexOf("-") >= 0) {
      var parts = years.split("-");
      s.yearMin = /^\d+$/.test(parts[0]) ? parseInt(parts[0], 10) : null;
      s.yearMax = /^\d+$/.test(parts[1]) ? parseInt(parts[1], 10) : null;
    }
    if (params.get("sans_annee") === "non") s.unknownYear = false;
    LISTS.forEach(function (p) {
      var raw = params.get(p[0]);
      if (raw) {
        s[p[1]] = raw.split(",").filter(function (v) {
          return v && Object.prototype.hasOwnProperty.call(F.known[p[1]], v);
        });
      }
    });
    return s;
  }

  function queryOf(s, embed) {
    var out = [];
    if (s.yearMin !== null || s.yearMax !== null) {
      out.push("annees=" + (s.yearMin === null ? "" : s.yearMin) + "-" + (s.yearMax === null ? "" : s.yearMax));
    }
    if (!s.unknownYear) out.push("sans_annee=non");
    LISTS.forEach(function (p) {
      if (s[p[1]].length) out.push(p[0] + "=" + s[p[1]].map(encodeURIComponent).join(","));
    });
    if (embed) out.push("embed=1");
    return out.length ? "?" + out.join("&") : "";
  }

  var EMBED = new URLSearchParams(location.search).get("embed") === "1";
  var state = readState(location.search);

  // One atelier of F.ateliers: [id, year (-1: unknown), familles, themes, regions, deps,
  // echelle, statut, equipe]; multi-valued attributes match when any value is selected.
  function any(values, selected) {
    for (var k = 0; k < values.length; k++) if (selected.indexOf(values[k]) >= 0) return true;
    return false;
  }
  function matches(a, s) {
    var y = a[1];
    if (s.yearMin !== null && y >= 0 && y < s.yearMin) return false;
    if (s.yearMax !== null && y >= 0 && y > s.yearMax) return false;
    if (!s.unknownYear && y < 0) return false;
    if (s.statuts.length && s.statuts.indexOf(a[7]) < 0) return false;
    if (s.equipes.length && s.equipes.indexOf(a[8]) < 0) return false;
    if (s.echelles.length && s.echelles.indexOf(a[6]) < 0) return false;
    if (s.familles.length && !any(a[2], s.familles)) return false;
    if (s.themes.length && !any(a[3], s.themes)) return false;
    if (s.regions.length && !any(a[4], s.regions)) return false;
    if (s.departements.length && !any(a[5], s.departements)) return false;
    return true;
  }

  // ------------------------------------------------------------------ filtered layers
  function encodeInts(values) {
    var out = "";
    var previous = 0;
    values.forEach(function (value) {
      var delta = value - previous;
      previous = value;
      var z = delta >= 0 ? delta * 2 : -delta * 2 - 1;
      while (z >= 0x20) {
        out += String.fromCharCode((0x20 | (z & 0x1f)) + 63);
        z = Math.floor(z / 32);
      }
      out += String.fromCharCode(z + 63);
    });
    return out;
  }

  // The communes layer restricted to the kept ateliers: communes re-indexed, each coloured by
  // its most recent kept atelier (as the Python side does), legend counts recomputed.
  function communesLayer(layer, kept) {
    var keep = {};
    kept.forEach(function (i) {
      keep[i] = true;
    });
    var n = layer.codes.length / 5;
    var noms = layer.noms ? layer.noms.split("|") : [];
    var geoms = layer.geoms ? layer.geoms.split(" ") : [];
    var newIndex = {};
    var order = [];
    var latest = [];
    var ateliers = [];
    var atelierIndex = {};
    function year(a) {
      return a[1] === "" ? -1 : a[1];
    }
    layer.ateliers.forEach(function (a, ai) {
      if (!keep[ai]) return;
      atelierIndex[ai] = ateliers.length;
      var members = AF.decodeInts(a[4]).map(function (ci) {
        if (!(ci in newIndex)) {
          newIndex[ci] = order.length;
          order.push(ci);
          latest.push(ai);
        } else {
          var c = newIndex[ci];
          var other = layer.ateliers[latest[c]];
          if (year(a) > year(other) || (year(a) === year(other) && ai < latest[c])) latest[c] = ai;
        }
        return newIndex[ci];
      });
      members.sort(function (x, y) {
        return x - y;
      });
      ateliers.push([a[0], a[1], a[2], a[3], encodeInts(members)]);
    });
    var counts = layer.categories.map(function () {
      return 0;
    });
    ateliers.forEach(function (a) {
      counts[a[3]] += 1;
    });
    var owners = layer.outlines.owners || [];
    var lines = [];
    layer.outlines.lines.forEach(function (line, k) {
      if (owners.length ? keep[owners[k]] : true) lines.push(line);
    });
    return {
      factor: layer.factor,
      level: layer.level,
      dimension: layer.dimension,
      categories: layer.categories.map(function (c, k) {
        return [c[0], c[1], counts[k]];
      }),
      themes: layer.themes,
      ateliers: ateliers,
      codes: order
        .map(function (ci) {
          return layer.codes.substr(ci * 5, 5);
        })
        .join(""),
      noms: order
        .map(function (ci) {
          return noms[ci];
        })
        .join("|"),
      geoms: order
        .map(function (ci) {
          return geoms[ci] || "";
        })
        .join(" "),
      cats: latest
        .map(function (ai) {
          return String.fromCharCode(97 + layer.ateliers[ai][3]);
        })
        .join(""),
      points: layer.points
        .filter(function (p) {
          return keep[p[3]];
        })
        .map(function (p) {
          return [p[0], p[1], newIndex[p[2]], atelierIndex[p[3]]];
        }),
      outlines: { factor: layer.outlines.factor, lines: lines, owners: [] },
      focus: null,
    };
  }

  // Every atelier kept (no filter, the page as most visitors open it): the layer as exported,
  // drawn as is, without decoding and encoding it again.
  function whole(layer) {
    var copy = {};
    Object.keys(layer).forEach(function (k) {
      copy[k] = layer[k];
    });
    copy.focus = null;
    return copy;
  }

  function overviewLayer(layer, kept) {
    var counts = {};
    var max = 0;
    kept.forEach(function (i) {
      F.ateliers[i][5].forEach(function (dep) {
        counts[dep] = (counts[dep] || 0) + 1;
        if (counts[dep] > max) max = counts[dep];
      });
    });
    var copy = {};
    Object.keys(layer).forEach(function (k) {
      copy[k] = layer[k];
    });
    copy.counts = counts;
    copy.max = max;
    copy.focus = null;
    return copy;
  }

  // ------------------------------------------------------------------ the filter form
  var form = document.getElementById("filtres");
  var fields = {
    de: document.getElementById("f-annee-de"),
    a: document.getElementById("f-annee-a"),
    famille: document.getElementById("f-famille"),
    theme: document.getElementById("f-theme"),
    region: document.getElementById("f-region"),
    dep: document.getElementById("f-dep"),
    echelle: document.getElementById("f-echelle"),
  };
  var NAMES = { famille: "familles", theme: "themes", region: "regions", dep: "departements", echelle: "echelles" };

  function option(select, value, label) {
    var o = document.createElement("option");
    o.value = value;
    o.textContent = label;
    select.appendChild(o);
    return o;
  }
  function fillForm() {
    for (var y = F.annees[0]; y <= F.annees[1]; y++) {
      option(fields.de, String(y), String(y));
      option(fields.a, String(y), String(y));
    }
    Object.keys(NAMES).forEach(function (key) {
      F.options[NAMES[key]].forEach(function (o) {
        option(fields[key], o[0], o[1]);
      });
    });
  }
  // A list value the form cannot show (several values, from the app) gets its own option.
  function setSelect(select, values, labels) {
    var extra = select.querySelector("option[data-plusieurs]");
    if (extra) extra.remove();
    if (values.length > 1) {
      var o = option(
        select,
        values.join(","),
        "Plusieurs : " +
          values
            .map(function (v) {
              return labels[v] || v;
            })
            .join(", ")
      );
      o.setAttribute("data-plusieurs", "1");
    }
    select.value = values.join(",");
  }
  function showState(s) {
    fields.de.value = s.yearMin === null ? "" : String(s.yearMin);
    fields.a.value = s.yearMax === null ? "" : String(s.yearMax);
    Object.keys(NAMES).forEach(function (key) {
      setSelect(fields[key], s[NAMES[key]], F.known[NAMES[key]]);
    });
    var note = document.getElementById("f-autres");
    var others = [];
    if (s.statuts.length) others.push("statut : " + labelsOf("statuts", s.statuts));
    if (s.equipes.length) others.push("équipe : " + labelsOf("equipes", s.equipes));
    if (!s.unknownYear) others.push("sans les ateliers d'année inconnue");
    note.textContent = others.length ? "Autres filtres de l'adresse : " + others.join(" ; ") + "." : "";
  }
  function labelsOf(name, values) {
    return values
      .map(function (v) {
        return F.known[name][v] || v;
      })
      .join(", ");
  }
  function readForm() {
    var s = readState(location.search); // keeps statut, equipe, sans_annee from the address
    s.yearMin = fields.de.value ? parseInt(fields.de.value, 10) : null;
    s.yearMax = fields.a.value ? parseInt(fields.a.value, 10) : null;
    if (s.yearMin !== null && s.yearMax !== null && s.yearMin > s.yearMax) {
      var t = s.yearMin;
      s.yearMin = s.yearMax;
      s.yearMax = t;
    }
    Object.keys(NAMES).forEach(function (key) {
      var v = fields[key].value;
      s[NAMES[key]] = v ? v.split(",") : [];
    });
    return s;
  }

  // ------------------------------------------------------------------ applying a state
  // The list's rows and caption exist once liste.js is in (takeList).
  var rows = [];
  var caption = null;
  var count = document.getElementById("compte");
  var permalink = document.getElementById("lien-vue");
  var grand = document.getElementById("lien-grand");
  var kept = [];

  function apply(s, fit) {
    kept = [];
    F.ateliers.forEach(function (a, i) {
      if (matches(a, s)) kept.push(i);
    });
    group.clearLayers();
    if (data.kind === "ateliers") AF.ateliers(group, kept.length === F.ateliers.length ? whole(data.layer) : communesLayer(data.layer, kept));
    else AF.overview(group, overviewLayer(data.layer, kept));
    var keepSet = {};
    var communes = {};
    kept.forEach(function (i) {
      keepSet[i] = true;
      F.ateliers[i][9].forEach(function (c) {
        communes[c] = true;
      });
    });
    showRows();
    var nc = Object.keys(communes).length;
    var text =
      kept.length +
      " atelier" +
      (kept.length > 1 ? "s" : "") +
      " sur " +
      nc +
      " commune" +
      (nc > 1 ? "s" : "") +
      (kept.length === F.ateliers.length ? "" : " (sur " + F.ateliers.length + " publiés)");
    count.textContent = text + ".";
    listText = text + (data.fictif ? " – données fictives" : "");
    if (caption) caption.textContent = listText;
    history.replaceState(null, "", location.pathname + queryOf(s, EMBED) + location.hash);
    updateLinks();
    if (fit && kept.length && data.kind === "ateliers") fitTo(group.getBounds());
  }

  var listText = "";
  function showRows() {
    var keepSet = {};
    kept.forEach(function (i) {
      keepSet[i] = true;
    });
    rows.forEach(function (row, i) {
      row.hidden = !keepSet[i];
    });
  }
  function takeList() {
    rows = Array.prototype.slice.call(document.querySelectorAll("#liste tbody tr"));
    caption = document.querySelector("#liste caption");
    if (caption && listText) caption.textContent = listText;
    showRows();
  }

  // « Lien vers cette vue » and, in the compact page, « Ouvrir la carte en grand »: the full
  // page with the same filters and fiche.
  function updateLinks() {
    var href = "index.html" + queryOf(state, false) + location.hash;
    permalink.href = href;
    if (grand) grand.href = href;
  }

  function fitTo(bounds) {
    if (bounds && bounds.isValid && bounds.isValid()) map.fitBounds(bounds, { maxZoom: 11, animate: false });
  }

  // The map first; the form's options (170 of them, a tenth of a second or more on a busy
  // machine) just after, in the next task.
  apply(state, false);
  afterFrame(linkFaces);
  var formReady = false;
  var listDone = false;
  setTimeout(function () {
    fillForm();
    showState(state);
    formReady = true;
    whenWhole();
  }, 0);
  form.addEventListener("change", function () {
    state = readForm();
    showState(state);
    apply(state, false);
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
  });
  document.getElementById("f-effacer").addEventListener("click", function () {
    state = emptyState();
    history.replaceState(null, "", location.pathname + (EMBED ? "?embed=1" : "") + location.hash);
    showState(state);
    apply(state, false);
    AF.home();
  });

  // ------------------------------------------------------------------ fiches
  // lieux.js (places → ateliers, summaries, the search's communes) once the map is drawn; a
  // fiche's file when it is first opened.
  var lieux = null;
  var pending = null;
  var chunks = {};
  var waiting = {};
  function addScript(src, onerror) {
    var script = document.createElement("script");
    script.src = src;
    script.onerror = onerror;
    document.body.appendChild(script);
    return script;
  }
  function failed() {
    panel.textContent =
      "Les fiches n'ont pas pu être chargées ; la liste des ateliers reste disponible.";
  }
  function loadLieux() {
    addScript(data.dossier + "lieux.js", failed).onload = function () {
      lieux = window.AF_LIEUX;
      searchReady();
      if (pending) open(pending[0], pending[1], pending[2]);
      pending = null;
    };
  }
  window.AF_FICHES = function (k, list) {
    chunks[k] = list;
    (waiting[k] || []).forEach(function (done) {
      done();
    });
    delete waiting[k];
  };
  // Calls done(html) with fiche i, fetching its file the first time.
  function withFiche(i, done) {
    var k = Math.floor(i / lieux.par_fichier);
    function ready() {
      done(chunks[k][i - k * lieux.par_fichier]);
    }
    if (chunks[k]) return ready();
    if (waiting[k]) return waiting[k].push(ready);
    waiting[k] = [ready];
    addScript(data.dossier + "fiches/" + k + ".js", function () {
      delete waiting[k];
      failed();
    });
  }

  var HELP =
    '<p class="af-aide">Cliquez sur une commune de la carte, cherchez-la ci-dessus ou choisissez ' +
    "un atelier dans la liste pour afficher ici sa fiche.</p>";
  function close() {
    history.replaceState(null, "", location.pathname + location.search);
    panel.innerHTML = HELP;
    updateLinks();
  }

  function show(html, hash) {
    // The close button belongs to the fiche: inside its section.
    var button =
      '<button type="button" class="fr-btn fr-btn--secondary fr-btn--sm af-fermer">' +
      "Fermer la fiche</button>";
    var end = html.lastIndexOf("</section>");
    panel.innerHTML = end >= 0 ? html.slice(0, end) + button + html.slice(end) : html + button;
    panel.querySelector(".af-fermer").addEventListener("click", close);
    if (hash !== location.hash) {
      history.replaceState(null, "", location.pathname + location.search + hash);
    }
    updateLinks();
    panel.focus({ preventScroll: true });
    // Below the map on a narrow screen: bring the fiche into view.
    if (panel.getBoundingClientRect().top > window.innerHeight - 80) {
      panel.scrollIntoView({ block: "start" });
    }
  }

  function placeFiche(kind, code) {
    var key = (kind === "departement" ? "d:" : "c:") + code;
    var ids = lieux.lieux[key] || [];
    var heading = lieux.titres[key] || code;
    var shown = ids.filter(function (i) {
      return kept.indexOf(i) >= 0;
    });
    var html = '<section class="af-fiche" aria-label="Fiche du lieu"><h2>' + esc(heading) + '</h2><p class="af-count">';
    html += ids.length
      ? ids.length + " atelier" + (ids.length > 1 ? "s" : "") + " publié" + (ids.length > 1 ? "s" : "")
      : "Aucun atelier publié ici.";
    if (ids.length && shown.length < ids.length) html += " (" + (ids.length - shown.length) + " hors des filtres)";
    html += "</p>";
    if (ids.length) {
      html += '<ul class="af-liste-ateliers">';
      ids.forEach(function (i) {
        html += lieux.resumes[i];
      });
      html += "</ul>";
    }
    show(html + "</section>", "#" + kind + "=" + code);
  }

  var asked = 0; // the last fiche asked for: a slower file never shows an older fiche
  function atelierFiche(i) {
    var mine = ++asked;
    withFiche(i, function (html) {
      if (mine !== asked) return;
      show('<section class="af-fiche" aria-label="Fiche de l\'atelier">' + html + "</section>", "#atelier=" + encodeURIComponent(lieux.ids[i]));
      zoomToAtelier(i);
      AF.ficheShown = lieux.ids[i];
    });
  }

  // A commune's bounds: its drawn polygon, or (left out by the filters) its geometry in the
  // full layer, decoded.
  var allCodes = data.kind === "ateliers" ? data.layer.codes : "";
  var allGeoms = data.kind === "ateliers" && data.layer.geoms ? data.layer.geoms.split(" ") : [];
  function boundsOf(code) {
    var layer = AF.polys[code];
    if (layer && layer.getBounds) return layer.getBounds();
    for (var k = 0; k * 5 < allCodes.length; k++) {
      if (allCodes.substr(k * 5, 5) !== code) continue;
      var points = [];
      AF.decodeGeom(allGeoms[k], data.layer.factor).forEach(function (poly) {
        poly.forEach(function (ring) {
          points = points.concat(ring);
        });
      });
      return points.length ? L.latLngBounds(points) : null;
    }
    return null;
  }

  function zoomToAtelier(i) {
    var bounds = null;
    F.ateliers[i][9].forEach(function (code) {
      var b = boundsOf(code);
      if (!b) return;
      bounds = bounds ? bounds.extend(b) : L.latLngBounds(b.getSouthWest(), b.getNorthEast());
    });
    if (bounds) fitTo(bounds);
  }

  function open(kind, code, zoom) {
    asked += 1; // a fiche still loading is no longer the one asked for
    if (!lieux) {
      pending = [kind, code, zoom];
      panel.innerHTML = '<p class="af-aide">Chargement de la fiche…</p>';
      return;
    }
    if (kind === "atelier") {
      var i = lieux.ids.indexOf(code);
      if (i < 0) {
        show('<p class="af-aide">Aucun atelier publié ne porte l\'identifiant « ' + esc(code) + " ».</p>", "");
        return;
      }
      atelierFiche(i);
      return;
    }
    if (zoom) {
      var dep = AF.polys["dep:" + code];
      fitTo(kind === "departement" ? dep && dep.getBounds() : boundsOf(code));
    }
    placeFiche(kind, code);
  }
  AF.onSelect = function (kind, code) {
    open(kind, code, false);
  };

  var HASH = /^#(commune|departement|atelier)=(.+)$/;
  function fromHash() {
    var asked = HASH.exec(location.hash);
    if (!asked) return;
    var value = decodeURIComponent(asked[2]);
    if (asked[1] !== "atelier" && !/^[0-9AB]{2,5}$/.test(value)) return;
    open(asked[1], value, true);
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();

  // ------------------------------------------------------------------ commune search
  // Accent-, case-, hyphen- and article-insensitive, « St »/« Ste » for Saint(e), or a code.
  function key(text) {
    return String(text)
      .normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "")
      .toLowerCase()
      .replace(/œ/g, "oe")
      .replace(/æ/g, "ae")
      .replace(/[-'’.,()]/g, " ")
      .replace(/\s+/g, " ")
      .trim()
      .replace(/^(le|la|les|l) /, "")
      .replace(/\bste\b/g, "sainte")
      .replace(/\bst\b/g, "saint");
  }
  var places = [];
  function searchReady() {
    places = lieux.recherche.map(function (c) {
      return { code: c[0], nom: c[1], dep: c[2], key: key(c[1]) };
    });
    if (input.value) suggest();
  }
  var input = document.getElementById("recherche");
  var list = document.getElementById("recherche-suggestions");
  var status = document.getElementById("recherche-statut");
  var active = -1;
  var found = [];

  function suggest() {
    var q = key(input.value);
    var code = input.value.trim().toUpperCase();
    found = [];
    if (q.length >= 2 || /^[0-9][0-9AB]/.test(code)) {
      places.forEach(function (p) {
        var rank = p.code === code ? 0 : p.key === q ? 1 : p.key.indexOf(q) === 0 ? 2 : p.key.indexOf(q) > 0 ? 3 : p.code.indexOf(code) === 0 ? 4 : 9;
        if (rank < 9) found.push([rank, p]);
      });
      found.sort(function (a, b) {
        return a[0] - b[0] || a[1].nom.localeCompare(b[1].nom, "fr");
      });
      found = found.slice(0, 8).map(function (f) {
        return f[1];
      });
    }
    list.innerHTML = "";
    active = -1;
    found.forEach(function (p, k) {
      var li = document.createElement("li");
      li.id = "suggestion-" + k;
      li.setAttribute("role", "option");
      li.setAttribute("aria-selected", "false");
      li.textContent = p.nom + " (" + p.dep + ", " + p.code + ")";
      li.addEventListener("mousedown", function (e) {
        e.preventDefault();
        choose(p);
      });
      list.appendChild(li);
    });
    var shown = found.length > 0;
    list.hidden = !shown;
    input.setAttribute("aria-expanded", shown ? "true" : "false");
    input.removeAttribute("aria-activedescendant");
    status.textContent = input.value.trim()
      ? found.length
        ? found.length + " commune" + (found.length > 1 ? "s" : "") + " proposée" + (found.length > 1 ? "s" : "")
        : "Aucune commune publiée ne correspond."
      : "";
  }
  function highlight(k) {
    var items = list.querySelectorAll("li");
    items.forEach(function (li, j) {
      li.setAttribute("aria-selected", j === k ? "true" : "false");
    });
    active = k;
    if (k >= 0) input.setAttribute("aria-activedescendant", "suggestion-" + k);
    else input.removeAttribute("aria-activedescendant");
  }
  function choose(p) {
    input.value = p.nom;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    status.textContent = p.nom + " : fiche ouverte.";
    open("commune", p.code, true);
  }
  input.addEventListener("input", suggest);
  input.addEventListener("keydown", function (e) {
    if (e.key === "ArrowDown" && found.length) {
      e.preventDefault();
      highlight((active + 1) % found.length);
    } else if (e.key === "ArrowUp" && found.length) {
      e.preventDefault();
      highlight(active <= 0 ? found.length - 1 : active - 1);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (found.length) choose(found[active >= 0 ? active : 0]);
    } else if (e.key === "Escape") {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
    }
  });
  input.addEventListener("blur", function () {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
  });
  document.getElementById("recherche-form").addEventListener("submit", function (e) {
    e.preventDefault();
    if (found.length) choose(found[active >= 0 ? active : 0]);
  });

  // The list, then the places and the search, once the map is drawn and the page whole.
  function listReady() {
    setTimeout(function () {
      loadList(function () {
        takeList();
        listDone = true;
        whenWhole();
      });
      loadLieux();
    }, 0);
  }
  // Ready for a visitor (and the tests): the form filled and the list's rows taken.
  function whenWhole() {
    if (formReady && listDone) AF.publicReady = true;
  }
  whenParsed(listReady);
})();
