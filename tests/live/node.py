"""The pinned npm tools of the test suite (package.json, installed by ``npm ci``)."""

from __future__ import annotations

import os
import shutil

import pytest

from tests.live.server import ROOT


def require_node_tool(package: str, purpose: str) -> str:
    """The path of ``node`` when ``package`` is installed; else the test is skipped
    locally and fails in CI (``CI`` set)."""
    node = shutil.which("node")
    if node and (ROOT / "node_modules" / package / "package.json").exists():
        return node
    missing = "Node.js" if not node else f"the {package} package (run: npm ci)"
    message = f"{missing} is not installed; {purpose} needs it"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI requires it", pytrace=False)
    pytest.skip(message)
