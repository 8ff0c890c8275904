"""Builds of kyodo (``pip install .``, wheels) carry GraphiQL's files.

Everything else is declared in pyproject.toml. Before the package files are collected,
``server/graphiql_assets.py`` puts the pinned GraphiQL, React and explorer files into
``server/static/graphiql/`` (downloaded from the npm registry once, checked against
their hashes; nothing is fetched when they are there already), so the installed service
serves GraphiQL without internet access. The module is loaded by its path: kyodo's
dependencies are not installed yet while it builds.
"""

import importlib.util
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent


class BuildWithGraphiQL(build_py):
    def run(self) -> None:
        spec = importlib.util.spec_from_file_location(
            "kyodo_graphiql_assets", HERE / "server" / "graphiql_assets.py"
        )
        assert spec is not None and spec.loader is not None
        assets = importlib.util.module_from_spec(spec)
        sys.modules[spec.name] = assets  # dataclasses look their module up there
        spec.loader.exec_module(assets)
        assets.install()
        super().run()


setup(cmdclass={"build_py": BuildWithGraphiQL})
