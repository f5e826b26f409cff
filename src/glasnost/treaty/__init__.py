"""The agreement: its document, its lifecycle from the log entries, the obligations and their
deadlines, reduction limits, compliance, and the confirmation of assessments."""

from glasnost.treaty import bodies as _bodies  # registers the entry types with the ledger

del _bodies
