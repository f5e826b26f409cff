"""Defense analysis: sensors, engagement feasibility, capacity and the assessment."""
