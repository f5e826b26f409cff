"""Presentation of an assessment and of a sweep: it formats what :mod:`glasnost.defense` and
:mod:`glasnost.sweep` computed, and computes nothing itself.

- :mod:`~glasnost.report.terminal`: the terminal summary (Rich);
- :mod:`~glasnost.report.html`: the self-contained HTML report (Jinja2, embedded PNGs) with the
  pictures of :mod:`~glasnost.report.maps` (world map, figure styles) and
  :mod:`~glasnost.report.heatmap` (margin heat map), drawn in the polar projection of
  :mod:`~glasnost.report.projection` (matplotlib); :mod:`~glasnost.report.figures`: the same
  pictures as files for publication;
- :mod:`~glasnost.report.geo`: the GIS exports' features and the GeoJSON file,
  :mod:`~glasnost.report.kml` the KML file (with the time-tagged flights of
  :mod:`~glasnost.report.kml_tracks`), both drawn with the geometry of
  :mod:`~glasnost.report.gis_geometry` (antimeridian cuts, pole caps);
  :mod:`~glasnost.report.layers`: the GeoJSON as one file per layer;
- :mod:`~glasnost.report.tables`: flat tables for notebooks (pandas when installed),
  :mod:`~glasnost.report.csv_tables` the same as CSV files;
- :mod:`~glasnost.report.sweep` and :mod:`~glasnost.report.sweep_plots`: the HTML report of a
  sweep and its pictures.

The JSON output and the tables read the assessment's result records; every map takes its
tracks, intercept segments and radar footprints from :mod:`glasnost.defense.geometry`.
"""
