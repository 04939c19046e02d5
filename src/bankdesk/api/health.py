"""Health and metrics: no authentication, nothing about any customer."""

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST
from sqlalchemy import text

from bankdesk.api.dependencies import App, AppMetrics

router = APIRouter(tags=["health"])


@router.get("/health/live")
async def live() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/health/ready", responses={503: {"description": "The database is unreachable"}})
async def ready(app: App) -> JSONResponse:
    """The service can reach its database."""
    try:
        async with app.database.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:
        return JSONResponse(
            {"status": "unavailable", "database": type(error).__name__},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )
    return JSONResponse({"status": "ready", "database": app.database.dialect})


@router.get("/metrics", response_class=Response)
async def metrics(registry: AppMetrics) -> Response:
    """Prometheus metrics: requests, latencies, decisions by outcome."""
    return Response(registry.exposition(), media_type=CONTENT_TYPE_LATEST)
