"""Integration tests of the node service over real HTTP (uvicorn on 127.0.0.1)."""
