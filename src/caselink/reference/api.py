"""JSON API for standing data (filled in by the reference context)."""

from fastapi import APIRouter

router = APIRouter(tags=["reference"])
