"""The agreement: its document, its lifecycle from the log entries, the obligations and their
deadlines, reduction limits, compliance, and the confirmation of assessments."""
