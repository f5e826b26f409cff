"""Unit tests of the node service: request authentication and HTTP limits."""
