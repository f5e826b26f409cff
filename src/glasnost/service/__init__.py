"""The node's HTTP service: request authentication (:mod:`.auth`) and HTTP limits
(:mod:`.limits`) for the API under ``/v1/``."""
