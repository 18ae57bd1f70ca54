"""AF.Shapes (static/carte/carte.js) against Leaflet's own polygons, in a blank local page.

The map's communes, dots, perimeters and land are drawn by AF.Shapes, not as Leaflet layers:
its hit test and its bounds must say what a Leaflet polygon of the same geometry says.
"""

from __future__ import annotations

import pytest
import shapely

from atelierflash import carte
from atelierflash.carte.encoding import encode_geometries

pytestmark = [pytest.mark.browser]

FACTOR = 100_000

# A commune-sized polygon with a hole, and a second polygon beside it (one multipolygon).
GEOMETRY = shapely.MultiPolygon(
    [
        (
            [(4.80, 45.72), (4.90, 45.71), (4.93, 45.78), (4.86, 45.80), (4.79, 45.77)],
            [[(4.84, 45.74), (4.88, 45.74), (4.88, 45.77), (4.84, 45.77)]],
        ),
        ([(4.95, 45.72), (4.99, 45.72), (4.99, 45.75), (4.95, 45.75)], []),
    ]
)

COMPARE = """([encoded, factor]) => {
  const style = {weight: 2, color: '#000000', fillColor: '#ff0000', fillOpacity: 0.5};
  const geom = AF.decodeGeom(encoded, factor);
  const polygon = L.polygon(geom, style).addTo(map);
  const shapes = new AF.Shapes([style]).addTo(map);
  const shape = shapes.add(0, {rings: AF.unitRings(encoded, factor), key: 'x'});
  const size = map.getSize();
  // How far a point is from the polygon's outline, in pixels (its rings as Leaflet projected them).
  const fromEdge = (p) => Math.min(...polygon._rings.flatMap((ring) => ring.map((a, i) =>
    L.LineUtil.pointToSegmentDistance(p, a, ring[(i + 1) % ring.length]))));
  let inside = 0, differ = 0, farthest = 0;
  for (let y = 0; y < size.y; y += 3) {
    for (let x = 0; x < size.x; x += 3) {
      const p = map.containerPointToLayerPoint([x, y]);
      const leaflet = polygon._containsPoint(p);
      const ours = shapes.shapeAt(p);
      if (leaflet) inside += 1;
      if (leaflet !== !!ours || (ours && ours.key !== 'x')) {
        differ += 1;
        farthest = Math.max(farthest, fromEdge(p));
      }
    }
  }
  const at = (lat, lng) => !!shapes.shapeAt(map.latLngToLayerPoint([lat, lng]));
  const a = polygon.getBounds(), b = shapes.shapeBounds(shape);
  return {
    inside, differ, farthest,
    hole: at(45.755, 4.86), body: at(45.73, 4.82), second: at(45.735, 4.97), between: at(45.735, 4.94),
    bounds: [a.getSouth() - b.getSouth(), a.getWest() - b.getWest(),
             a.getNorth() - b.getNorth(), a.getEast() - b.getEast()],
  };
}"""


@pytest.fixture
def blank_map(page, tmp_path):
    leaflet = carte.leaflet_source_dir()
    code = carte.STATIC_DIR / "carte" / "carte.js"
    html = tmp_path / "index.html"
    html.write_text(
        "<!doctype html><html lang='fr'><head><meta charset='utf-8'><title>AF.Shapes</title>"
        f"<link rel='stylesheet' href='{(leaflet / 'leaflet.css').as_uri()}'></head><body>"
        "<div id='carte' style='width:640px;height:480px'></div>"
        f"<script src='{(leaflet / 'leaflet.js').as_uri()}'></script>"
        f"<script src='{code.as_uri()}'></script>"
        "<script>window.map = L.map('carte', {preferCanvas: true, zoomSnap: 0.25})"
        ".setView([45.76, 4.89], 11.25);</script></body></html>",
        encoding="utf-8",
    )
    page.goto(html.as_uri())
    page.wait_for_function("() => !!(window.map && window.AF && AF.Shapes)")
    return page


def test_shapes_hit_test_and_bounds_agree_with_leaflets_polygon(blank_map):
    (encoded,) = encode_geometries([GEOMETRY], FACTOR)
    result = blank_map.evaluate(COMPARE, [encoded, FACTOR])
    assert result["body"] and result["second"]
    assert not result["hole"] and not result["between"]
    # Over a grid of the whole map, the two answers differ only on the edge of the stroke's
    # tolerance, where Leaflet's vertices are rounded to whole pixels and simplified (1 px).
    assert result["inside"] > 2_000
    assert result["differ"] < result["inside"] * 0.02, result
    assert result["farthest"] <= 2, result
    assert all(abs(d) < 1e-9 for d in result["bounds"]), result


def test_shapes_follow_the_view_and_keep_the_topmost_shape(blank_map):
    # Two shapes of two styles on the same spot: the later style is drawn on top and is the one
    # found; after a zoom the shapes are found at their new place.
    (encoded,) = encode_geometries([GEOMETRY], FACTOR)
    found = blank_map.evaluate(
        """([encoded, factor]) => {
          const shapes = new AF.Shapes([{color: '#111111'}, {color: '#222222'}]).addTo(map);
          shapes.add(0, {rings: AF.unitRings(encoded, factor), key: 'under'});
          shapes.add(1, {rings: AF.unitRings(encoded, factor), key: 'over'});
          const ll = [45.73, 4.82];
          const before = shapes.shapeAt(map.latLngToLayerPoint(ll)).key;
          map.setZoom(9, {animate: false});
          const after = shapes.shapeAt(map.latLngToLayerPoint(ll));
          const away = shapes.shapeAt(map.latLngToLayerPoint([45.9, 5.3]));
          return [before, after && after.key, away];
        }""",
        [encoded, FACTOR],
    )
    assert found == ["over", "over", None]
