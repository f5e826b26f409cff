"""The API's documentation page, served offline: Swagger UI at ``/v1/docs``, its script and
style from the installed ``fastapi-offline`` package (under ``/v1/docs/static``), never from a
CDN, so it works on an isolated network as treaty networks are (ReDoc is left out: it loads its
logo from the internet). The page needs no signature, like the OpenAPI document it renders."""

from __future__ import annotations

from importlib import resources

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

__all__ = ["DOCS_URL", "install_api_docs"]

DOCS_URL = "/v1/docs"
STATIC_URL = "/v1/docs/static"


def install_api_docs(app: FastAPI) -> None:
    """Add the documentation page and its packaged assets to ``app`` (created with
    ``docs_url=None, redoc_url=None``)."""
    assets = resources.files("fastapi_offline") / "static"
    app.mount(STATIC_URL, StaticFiles(directory=str(assets)), name="api-docs-static")
    openapi_url = app.openapi_url or "/v1/openapi.json"

    @app.get(DOCS_URL, include_in_schema=False)
    def swagger_ui() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=openapi_url,
            title=f"{app.title} - API",
            swagger_js_url=f"{STATIC_URL}/swagger-ui-bundle.js",
            swagger_css_url=f"{STATIC_URL}/swagger-ui.css",
            swagger_favicon_url=f"{STATIC_URL}/favicon.png",
            swagger_ui_parameters={"validatorUrl": None},  # no badge from an outside validator
        )
