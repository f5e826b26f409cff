"""Build the offline world outline of the HTML report (run once; the result is committed).

Source: Natural Earth 1:110m land (public domain, https://www.naturalearthdata.com), as the
TopoJSON ``land-110m.json`` of the npm package ``world-atlas`` (Mike Bostock, ISC licence for
the packaging). Output: ``src/glasnost/report/data/world_land_110m.json``, a small JSON with a
header and ``polygons``: each polygon a list of closed rings (first the outer ring,
counter-clockwise in lon/lat; then its holes, clockwise), each ring a list of [lon, lat] in
degrees rounded to 0.01, ready for a plain equirectangular map.

Conversion: the TopoJSON arcs are delta-encoded and quantized; each arc is decoded with the
file's ``transform`` (x = cumulative sum of dx * scale + translate), rings are joined from arcs
(a negative index ~i means arc i reversed; consecutive arcs share their end point), and the
rings that cross the antimeridian (world-atlas stitches Natural Earth's cut polygons back
together) are cut again at +-180 deg: longitudes are unwrapped, a ring around a pole
(Antarctica) is closed along the pole's latitude, and the ring is clipped to [-180, 180] at each
shift of 360 deg (Sutherland-Hodgman against the two meridians). Rings with fewer than
``MIN_POINTS`` points after rounding are dropped.

Usage::

    python scripts/build_world_outline.py                 # runs `npm pack world-atlas@2.0.2`
    python scripts/build_world_outline.py land-110m.json  # or a file already at hand
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "world-atlas@2.0.2"
MEMBER = "package/land-110m.json"
OUT = Path(__file__).resolve().parents[1] / "src/glasnost/report/data/world_land_110m.json"
DECIMALS = 2
MIN_POINTS = 4  # closed ring: a triangle and its repeated first point

Point = tuple[float, float]
Ring = list[Point]


def fetch() -> bytes:
    """``land-110m.json`` from the npm package (the registry must be reachable)."""
    with tempfile.TemporaryDirectory() as tmp:
        name = subprocess.run(
            ["npm", "pack", PACKAGE, "--silent"],
            cwd=tmp,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.split()[-1]
        with tarfile.open(Path(tmp) / name) as tar:
            member = tar.extractfile(MEMBER)
            if member is None:
                raise SystemExit(f"{MEMBER} not found in {name}")
            return member.read()


def decode_arcs(topo: dict[str, object]) -> list[Ring]:
    """Absolute lon/lat points of every arc (delta decoding, then the quantization transform)."""
    transform = topo["transform"]
    assert isinstance(transform, dict)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = topo["arcs"]
    assert isinstance(arcs, list)
    out: list[Ring] = []
    for arc in arcs:
        x = y = 0
        points: Ring = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def join_ring(arcs: list[Ring], indices: list[int]) -> Ring:
    ring: Ring = []
    for i in indices:
        points = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(points if not ring else points[1:])
    return ring


def signed_area(ring: Ring) -> float:
    return 0.5 * sum(
        x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True)
    )


def unwrap(ring: Ring) -> Ring:
    """Longitudes made continuous; a ring around a pole is closed along the pole's latitude."""
    open_ring = ring[:-1] if ring[0] == ring[-1] else ring
    out: Ring = [open_ring[0]]
    for lon, lat in open_ring[1:]:
        prev = out[-1][0]
        lon += 360.0 * round((prev - lon) / 360.0)
        out.append((lon, lat))
    first_lon, last_lon = out[0][0], out[-1][0]
    if abs(last_lon - first_lon) > 180.0:
        # The closing edge would jump by 360 deg: the ring goes around a pole.
        pole = -90.0 if sum(p[1] for p in out) < 0 else 90.0
        out += [(last_lon, pole), (first_lon, pole)]
    return out


def clip(ring: Ring, lon: float, keep_east: bool) -> Ring:
    """Sutherland-Hodgman: the part of the open ring east (or west) of meridian ``lon``."""

    def inside(p: Point) -> bool:
        return p[0] >= lon if keep_east else p[0] <= lon

    def cross(p: Point, q: Point) -> Point:
        f = (lon - p[0]) / (q[0] - p[0])
        return (lon, p[1] + f * (q[1] - p[1]))

    out: Ring = []
    for k, cur in enumerate(ring):
        prev = ring[k - 1]
        if inside(cur):
            if not inside(prev):
                out.append(cross(prev, cur))
            out.append(cur)
        elif inside(prev):
            out.append(cross(prev, cur))
    return out


def finish(ring: Ring) -> Ring:
    """Rounded, without repeated points, closed."""
    out: Ring = []
    for lon, lat in ring:
        p = (round(lon, DECIMALS) + 0.0, round(lat, DECIMALS) + 0.0)
        if not out or p != out[-1]:
            out.append(p)
    while len(out) > 1 and out[0] == out[-1]:
        out.pop()
    return [*out, out[0]] if out else out


def inside_ring(p: Point, ring: Ring) -> bool:
    """Even-odd point-in-polygon test (ray to the east)."""
    x, y = p
    hit = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            hit = not hit
    return hit


def oriented(ring: Ring, ccw: bool) -> Ring:
    return ring if (signed_area(ring) > 0) == ccw else ring[::-1]


def convert(topo: dict[str, object]) -> list[list[Ring]]:
    arcs = decode_arcs(topo)
    objects = topo["objects"]
    assert isinstance(objects, dict)
    polygons: list[list[Ring]] = []
    for geometry in objects["land"]["geometries"]:
        parts = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        for part in parts:
            outer = unwrap(join_ring(arcs, part[0]))
            holes = [unwrap(join_ring(arcs, h)) for h in part[1:]]
            for shift in (-360.0, 0.0, 360.0):
                moved = [(lon + shift, lat) for lon, lat in outer]
                piece = finish(clip(clip(moved, -180.0, True), 180.0, False))
                if len(piece) < MIN_POINTS or abs(signed_area(piece[:-1])) < 1e-9:
                    continue
                rings = [oriented(piece, ccw=True)]
                for hole in holes:
                    for hole_shift in (-360.0, 0.0, 360.0):
                        h = finish([(lon + hole_shift, lat) for lon, lat in hole])
                        if len(h) >= MIN_POINTS and inside_ring(h[0], piece[:-1]):
                            rings.append(oriented(h, ccw=False))
                polygons.append(rings)
    return polygons


def main(argv: list[str]) -> None:
    raw = Path(argv[1]).read_bytes() if len(argv) > 1 else fetch()
    polygons = convert(json.loads(raw))
    n_rings = sum(len(p) for p in polygons)
    n_points = sum(len(r) for p in polygons for r in p)
    document = {
        "source": (
            "Natural Earth 1:110m land (https://www.naturalearthdata.com), via the TopoJSON "
            f"land-110m.json of the npm package {PACKAGE}"
        ),
        "source_sha256": hashlib.sha256(raw).hexdigest(),
        "licence": "public domain (Natural Earth); world-atlas packaging: ISC, Mike Bostock",
        "generated_by": "scripts/build_world_outline.py",
        "format": (
            "polygons: list of polygons, each a list of closed rings [[lon, lat], ...] in "
            "degrees (WGS84), rounded to 0.01; the first ring is the outer boundary "
            "(counter-clockwise), the others are holes (clockwise); cut at the antimeridian"
        ),
        "rings": n_rings,
        "points": n_points,
        "polygons": [[[list(p) for p in ring] for ring in poly] for poly in polygons],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(document, separators=(",", ":"))
    # One polygon per line keeps diffs readable.
    text = text.replace("]]],[[[", "]]],\n[[[")
    OUT.write_text(text + "\n", encoding="utf-8")
    print(f"{OUT}: {len(polygons)} polygons, {n_rings} rings, {n_points} points")


if __name__ == "__main__":
    main(sys.argv)
