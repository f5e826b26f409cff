"""Presentation of results: terminal summaries (and, later, HTML reports, maps and plots)."""
