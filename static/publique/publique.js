/*
 * atelierflash – the public map page (static/publique/publique.js).
 *
 * Draws the map from window.AF_PUBLIC (donnees.js) with carte.js, then loads fiches.js
 * (window.AF_FICHES) and opens the fiche of a clicked commune or département in the side panel. The fiches are written and escaped by the
 * Python side (atelierflash.publique); the only other text put here, a place's name, is
 * escaped with AF.escape.
 */
(function () {
  "use strict";
  var data = window.AF_PUBLIC;
  var panel = document.getElementById("fiche");
  if (!data || !window.L || !window.AF || !AF.basemap) {
    panel.textContent = "La carte n'a pas pu être chargée ; la liste des ateliers reste disponible.";
    return;
  }
  var map = L.map("carte", {
    preferCanvas: true,
    zoomSnap: 0.25,
    minZoom: 3,
    maxZoom: 16,
    center: [46.6, 2.4],
    zoom: 6,
  });
  AF.basemap(map, data.base);
  // On a phone the legend would hide half of France: it starts folded (one tap opens it).
  if (map.getSize().x < 520 && AF.legendBox) AF.legendBox.classList.add("af-collapsed");
  var group = L.featureGroup().addTo(map);
  AF[data.kind](group, data.layer);

  // The open fiche lives in the address (#commune=80253, #departement=2A): a link to it, even to
  // the embedded page, reopens the same fiche on the same place.
  var PLACE = /^#(commune|departement)=([0-9AB]{2,5})$/;
  function remember(kind, code) {
    history.replaceState(null, "", kind ? "#" + kind + "=" + code : location.pathname);
  }

  function close() {
    remember(null);
    panel.innerHTML =
      '<p class="af-aide">Cliquez sur une commune de la carte pour afficher ici la fiche de ses ' +
      "ateliers (titre, dates, équipe, livrables, source).</p>";
  }

  // The fiches come in a second file, asked for once the map is on screen.
  var fiches = null;
  var pending = null;
  function loadFiches() {
    var script = document.createElement("script");
    script.src = "fiches.js";
    script.onload = function () {
      fiches = window.AF_FICHES;
      if (pending) AF.onSelect(pending[0], pending[1]);
      pending = null;
    };
    script.onerror = function () {
      panel.textContent =
        "Les fiches n'ont pas pu être chargées ; la liste des ateliers reste disponible.";
    };
    document.body.appendChild(script);
  }
  requestAnimationFrame(function () {
    setTimeout(loadFiches, 0);
  });

  AF.onSelect = function (kind, code) {
    if (!fiches) {
      pending = [kind, code];
      panel.innerHTML = '<p class="af-aide">Chargement de la fiche…</p>';
      return;
    }
    var key = (kind === "departement" ? "d:" : "c:") + code;
    var ids = fiches.lieux[key] || [];
    var heading = fiches.titres[key] || code;
    var html =
      '<section class="af-fiche"><h2>' +
      AF.escape(heading) +
      '</h2><p class="af-count">' +
      (ids.length
        ? ids.length + " atelier" + (ids.length > 1 ? "s" : "")
        : "Aucun atelier publié ici.") +
      "</p>";
    ids.forEach(function (i) {
      html += fiches.fiches[i];
    });
    html += '<button type="button" class="af-fermer">Fermer la fiche</button></section>';
    panel.innerHTML = html;
    panel.querySelector(".af-fermer").addEventListener("click", close);
    remember(kind, code);
    panel.focus({ preventScroll: true });
    // Below the map on a narrow screen: bring the fiche into view.
    if (panel.getBoundingClientRect().top > window.innerHeight - 80) {
      panel.scrollIntoView({ block: "start" });
    }
  };

  var asked = PLACE.exec(location.hash);
  if (asked) {
    var layer = AF.polys[asked[1] === "departement" ? "dep:" + asked[2] : asked[2]];
    if (layer) map.fitBounds(layer.getBounds(), { maxZoom: 11, animate: false });
    AF.onSelect(asked[1], asked[2]);
  }
})();
