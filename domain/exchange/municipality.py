"""The city's name on exports, printed pages and imported sheets: one small module, so
that the settings (which register where the name comes from) need not import the
exports themselves (openpyxl, every list) to start a command."""

from __future__ import annotations

from collections.abc import Callable

DEFAULT_MUNICIPALITY = "苫小牧市"
_municipality_source: Callable[[], str] | None = None


def set_municipality_source(source: Callable[[], str] | None) -> None:
    """Where the city's name comes from: the server's settings (KYODO_MUNICIPALITY)
    register themselves here; without them, 苫小牧市."""
    global _municipality_source
    _municipality_source = source


def municipality() -> str:
    """市町村名 of the exports (Hokkaido's open-data layout) and of the printed pages."""
    name = _municipality_source() if _municipality_source is not None else ""
    return name.strip() or DEFAULT_MUNICIPALITY
