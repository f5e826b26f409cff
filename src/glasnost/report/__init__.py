"""Presentation of an assessment: it formats what :mod:`glasnost.defense` computed, and
computes nothing itself.

- :mod:`~glasnost.report.terminal`: the terminal summary (Rich);
- :mod:`~glasnost.report.html`: the self-contained HTML report (Jinja2, embedded PNGs) drawn
  by :mod:`~glasnost.report.maps` (world map, margin heat map; matplotlib);
- :mod:`~glasnost.report.geo`: the GIS exports' features and the GeoJSON file,
  :mod:`~glasnost.report.kml` the KML file, both drawn with the geometry of
  :mod:`~glasnost.report.gis_geometry` (antimeridian cuts, pole caps);
- :mod:`~glasnost.report.tables`: flat tables for notebooks (pandas when installed).

The JSON output and the tables read the assessment's result records; every map takes its
tracks, intercept segments and radar footprints from :mod:`glasnost.defense.geometry`.
"""
