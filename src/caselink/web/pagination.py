"""The GOV.UK pagination component's parameters for a paged list (links keep the page's query)."""

from __future__ import annotations

from typing import Any

from fastapi import Request


def _page_href(request: Request, page: int) -> str:
    params = dict(request.query_params)
    params["page"] = str(page)
    return str(request.url.replace_query_params(**params).replace(scheme="", netloc="")).removeprefix("//")


def pagination(request: Request, page: int, pages: int) -> dict[str, Any] | None:
    """Previous/next links and page numbers with ellipses, or None when there is only one page."""
    if pages <= 1:
        return None
    numbers = sorted({1, pages, *range(max(1, page - 1), min(pages, page + 1) + 1)})
    items: list[dict[str, Any]] = []
    previous = 0
    for number in numbers:
        if number - previous > 1:
            items.append({"ellipsis": True})
        items.append({"number": number, "href": _page_href(request, number), "current": number == page})
        previous = number
    result: dict[str, Any] = {"items": items}
    if page > 1:
        result["previous"] = {"href": _page_href(request, page - 1)}
    if page < pages:
        result["next"] = {"href": _page_href(request, page + 1)}
    return result
