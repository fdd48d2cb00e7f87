"""Pages for standing data (filled in by the reference context)."""

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
