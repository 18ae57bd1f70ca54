/*
 * The benchmark's Leaflet floor (benchmarks/plancher_leaflet): the public page's polygons drawn
 * by Leaflet and the map code from the public page's own data file (donnees.js), with nothing
 * else: no DSFR, no filters, no list, no fiches. What the public page is measured against.
 */
(function () {
  "use strict";
  var data = window.AF_PUBLIC;
  var map = L.map("carte", { preferCanvas: true, zoomSnap: 0.25, center: [46.6, 2.4], zoom: 6 });
  AF.basemap(map, data.base);
  var group = L.featureGroup().addTo(map);
  if (data.kind === "ateliers") AF.ateliers(group, data.layer);
  else AF.overview(group, data.layer);
})();
