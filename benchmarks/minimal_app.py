"""The seed's lending API as the seed wrote it: FastAPI, an asyncpg pool and one INSERT.

This is the baseline of `api_load.py`: no authentication, no audit chain, no stored raw
request, no policy engine. Run it with uvicorn; it reads DATABASE_URL (a plain
`postgresql://` URL) and creates its table at start-up:

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/db \
        .venv/bin/python -m uvicorn minimal_app:app --app-dir benchmarks --port 8001
"""

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

CREATE_TABLE_SQL = """
CREATE TABLE IF NOT EXISTS loan_applications (
    id BIGSERIAL PRIMARY KEY,
    applicant_id TEXT NOT NULL,
    amount NUMERIC(12,2) NOT NULL,
    income NUMERIC(12,2) NOT NULL,
    employment_years INT NOT NULL,
    risk_score NUMERIC(10,2) NOT NULL,
    decision TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX IF NOT EXISTS idx_loan_applications_applicant_id
    ON loan_applications(applicant_id);
"""
INSERT_SQL = """
INSERT INTO loan_applications (
    applicant_id, amount, income, employment_years, risk_score, decision
)
VALUES ($1, $2, $3, $4, $5, $6)
"""
pool: asyncpg.Pool | None = None


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    global pool
    # The seed's pool: 2 to 10 connections.
    pool = await asyncpg.create_pool(os.environ["DATABASE_URL"], min_size=2, max_size=10)
    async with pool.acquire() as connection:
        await connection.execute(CREATE_TABLE_SQL)
    yield
    await pool.close()


app = FastAPI(title="Lending API (seed baseline)", lifespan=lifespan)


class LoanApplication(BaseModel):
    applicant_id: str = Field(..., min_length=3)
    amount: float = Field(..., gt=0)
    income: float = Field(..., gt=0)
    employment_years: int = Field(..., ge=0)


@app.post("/lending/apply")
async def apply_for_loan(payload: LoanApplication) -> dict[str, object]:
    if pool is None:
        raise HTTPException(status_code=503, detail="Database not ready")
    risk_score = round((payload.income / payload.amount) * 100 + payload.employment_years * 5, 2)
    decision = "approved" if risk_score >= 80 else "review"
    async with pool.acquire() as connection:
        await connection.execute(
            INSERT_SQL,
            payload.applicant_id,
            payload.amount,
            payload.income,
            payload.employment_years,
            risk_score,
            decision,
        )
    return {"applicant_id": payload.applicant_id, "risk_score": risk_score, "decision": decision}
