"""The dashboard's pages: each module reads the logs through the library and returns what its
template shows (:mod:`glasnost.service.dashboard` routes and renders them)."""
