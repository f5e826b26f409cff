"""GeoJSON geometry of the GIS exports (RFC 7946): positions ``[lon, lat]`` (deg, WGS84) rounded
to 1e-5 deg (``[lon, lat, height_m]``, height rounded to 1 m); lines and polygons that cross
the antimeridian cut there (MultiLineString / MultiPolygon); a footprint around a pole closed
along the pole's parallel. The KML export draws the same geometry."""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
from numpy.typing import NDArray

FloatArray = NDArray[np.float64]
Position = list[float]
Geometry = dict[str, Any]

LON_LAT_DIGITS = 5


def _wrap(lon: float) -> float:
    """Longitude in [-180, 180] (180 stays 180)."""
    return lon if -180.0 <= lon <= 180.0 else (lon + 180.0) % 360.0 - 180.0


def _pos(lon: float, lat: float, alt: float | None = None) -> Position:
    p = [round(_wrap(float(lon)), LON_LAT_DIGITS), round(float(lat), LON_LAT_DIGITS)]
    if alt is not None:
        p.append(float(round(float(alt))))
    return p


def geojson_point(lon: float, lat: float, alt: float | None = None) -> Geometry:
    return {"type": "Point", "coordinates": _pos(lon, lat, alt)}


def _dedupe(points: list[Position]) -> list[Position]:
    out: list[Position] = []
    for p in points:
        if not out or out[-1] != p:
            out.append(p)
    return out


def split_antimeridian(
    lat: FloatArray, lon: FloatArray, alt: FloatArray | None = None
) -> list[list[Position]]:
    """Cut a line of points where it crosses the antimeridian (a step of more than 180 deg in
    longitude): each part ends, and the next starts, at the crossing (lat and height
    interpolated linearly). Positions rounded; parts of fewer than 2 distinct positions dropped.
    """
    n = len(lat)
    h: list[float | None] = [None] * n if alt is None else [float(a) for a in alt]
    parts: list[list[Position]] = []
    current: list[Position] = []
    for k in range(n):
        x, y = float(lon[k]), float(lat[k])
        if k > 0:
            x0, y0, h0 = float(lon[k - 1]), float(lat[k - 1]), h[k - 1]
            step = x - x0
            if abs(step) > 180.0:
                edge = 180.0 if step < 0.0 else -180.0
                x1 = x + 360.0 if step < 0.0 else x - 360.0  # the next point, unwrapped
                f = (edge - x0) / (x1 - x0)
                yc = y0 + f * (y - y0)
                hk = h[k]
                hc = None if h0 is None or hk is None else h0 + f * (hk - h0)
                current.append(_pos(edge, yc, hc))
                parts.append(current)
                current = [_pos(-edge, yc, hc)]
        current.append(_pos(x, y, h[k]))
    parts.append(current)
    return [q for q in (_dedupe(p) for p in parts) if len(q) >= 2]


def geojson_line(
    lat: FloatArray, lon: FloatArray, alt: FloatArray | None = None
) -> Geometry | None:
    parts = split_antimeridian(lat, lon, alt)
    if not parts:
        return None
    if len(parts) == 1:
        return {"type": "LineString", "coordinates": parts[0]}
    return {"type": "MultiLineString", "coordinates": parts}


def _clip(ring: list[tuple[float, float]], edge: float, below: bool) -> list[tuple[float, float]]:
    """Sutherland-Hodgman: the part of a polygon (open ring) with x <= edge (or >= edge)."""

    def inside(p: tuple[float, float]) -> bool:
        return p[0] <= edge if below else p[0] >= edge

    out: list[tuple[float, float]] = []
    for k, cur in enumerate(ring):
        prev = ring[k - 1]
        if inside(cur) != inside(prev):
            f = (edge - prev[0]) / (cur[0] - prev[0])
            out.append((edge, prev[1] + f * (cur[1] - prev[1])))
        if inside(cur):
            out.append(cur)
    return out


def _signed_area(ring: list[Position]) -> float:
    return 0.5 * sum(a[0] * b[1] - b[0] * a[1] for a, b in itertools.pairwise(ring))


def split_polygon(lat: FloatArray, lon: FloatArray) -> list[list[Position]]:
    """Exterior rings (closed, counterclockwise, rounded) of a polygon given as a ring of points,
    cut at the antimeridian; a ring that winds around a pole is closed along the pole's
    parallel (the pole on the side of the ring's mean latitude). Empty for an empty ring."""
    if len(lat) < 3:
        return []
    x = np.degrees(np.unwrap(np.radians(np.asarray(lon, dtype=float))))
    y = np.asarray(lat, dtype=float)
    if abs(_wrap180(x[-1] - x[0])) < 1e-9 and abs(y[-1] - y[0]) < 1e-9:
        x, y = x[:-1], y[:-1]  # an explicitly closed ring
    if len(y) < 3:
        return []
    ring = [(float(a), float(b)) for a, b in zip(x, y, strict=True)]
    winding = float(x[-1] - x[0]) + _wrap180(x[0] - x[-1])  # with the closing step
    if abs(winding) > 180.0:  # around a pole
        ring = _polar_ring(x, y, math.copysign(360.0, winding))
    lo = math.floor((min(p[0] for p in ring) + 180.0) / 360.0)
    hi = math.floor((max(p[0] for p in ring) + 180.0) / 360.0)
    out: list[list[Position]] = []
    for k in range(lo, hi + 1):
        shifted = [(p[0] - 360.0 * k, p[1]) for p in ring]
        piece = _clip(_clip(shifted, 180.0, below=True), -180.0, below=False)
        points = _dedupe([_pos(p[0], p[1]) if abs(p[0]) < 180.0 else _edge(p) for p in piece])
        if len(points) > 1 and points[0] == points[-1]:
            points.pop()
        if len(points) < 3:
            continue
        closed = [*points, points[0]]
        area = _signed_area(closed)
        if area == 0.0:
            continue
        out.append(closed if area > 0.0 else closed[::-1])
    return out


def _polar_ring(x: FloatArray, y: FloatArray, winding: float) -> list[tuple[float, float]]:
    """A ring (unwrapped longitudes ``x``) that winds once around a pole, as a polygon from the
    antimeridian round to the antimeridian and back along the pole's parallel (the pole on the
    side of the ring's mean latitude)."""
    n = len(x)
    w = [_wrap(float(v)) for v in x]
    k = next(i for i in range(n) if abs(w[(i + 1) % n] - w[i]) > 180.0)
    a, b = w[k], w[(k + 1) % n]
    east = winding > 0.0
    edge = 180.0 if east else -180.0
    f = (edge - a) / ((b + 360.0 if east else b - 360.0) - a)
    yc = float(y[k] + f * (y[(k + 1) % n] - y[k]))
    order = [(k + 1 + i) % n for i in range(n)]
    xs = np.degrees(np.unwrap(np.radians([w[i] for i in order])))
    pole = 90.0 if float(np.mean(y)) >= 0.0 else -90.0
    start = -edge
    return [
        (start, yc),
        *((float(u), float(y[i])) for u, i in zip(xs, order, strict=True)),
        (start + winding, yc),
        (start + winding, pole),
        (start, pole),
    ]


def _wrap180(dx: float) -> float:
    """A longitude difference in [-180, 180)."""
    return (float(dx) + 180.0) % 360.0 - 180.0


def _edge(p: tuple[float, float]) -> Position:
    """A point on the antimeridian keeps its side (+180 or -180)."""
    return [math.copysign(180.0, p[0]), round(p[1], LON_LAT_DIGITS)]


def geojson_polygon(lat: FloatArray, lon: FloatArray) -> Geometry | None:
    rings = split_polygon(lat, lon)
    if not rings:
        return None
    if len(rings) == 1:
        return {"type": "Polygon", "coordinates": [rings[0]]}
    return {"type": "MultiPolygon", "coordinates": [[r] for r in rings]}
