"""Ready-made runs of the command line, on the catalog and the built-in scenario.

- :mod:`~glasnost.demo.missile_flight`: one catalog missile flown to a target or along an
  azimuth, summarised in km, km/s and degrees (``glasnost trajectory``);
- :mod:`~glasnost.demo.trajectories`: the demonstration trajectories, catalog missiles from
  catalog launch areas to catalog aim points (``glasnost demo``);
- :mod:`~glasnost.demo.exchange`: the agreement end to end between two nodes on loopback
  (``glasnost demo exchange``).

They call the library and return plain results; the command line prints them.
"""
