"""Defense analysis: sensors, engagement feasibility, capacity, the assessment and the geometry
its pictures draw (tracks, intercept segments, radar footprints)."""
