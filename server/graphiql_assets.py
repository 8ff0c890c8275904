"""GraphiQL's files, installed from the npm registry at install time, served by the app.

GraphiQL is a browser application (React and the graphiql bundle, both MIT licensed).
Strawberry's page loads them from a CDN, so on a network without internet access (a
municipal LGWAN segment) it stays "Loading...". Here the same builds are fetched once,
when kyodo is installed (``make install``/``make run`` run this module; ``pip install``
runs it through ``setup.py``), into ``server/static/graphiql/`` (not in git; shipped in
the wheel), and ``server.graphiql`` serves them: nothing is fetched while serving.

Every file is pinned twice: the package tarball by the registry's ``integrity``
(SHA-512, the value ``package-lock.json`` files record) and each file taken from it by
its SHA-384 (the Subresource Integrity value the page also declares, the same values
Strawberry's own page uses). A tarball or file that does not match is refused.

Only the standard library is used here: ``setup.py`` loads this file by path, before
kyodo's dependencies are installed.

Run ``python -m kyodo.server.graphiql_assets`` (or ``python server/graphiql_assets.py``) to
install them; it does nothing when they are in place already. ``--check`` only checks.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ASSETS_DIR = Path(__file__).resolve().parent / "static" / "graphiql"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
DOWNLOAD_TIMEOUT_S = 60


@dataclass(frozen=True)
class Asset:
    name: str
    """The file name served under /graphiql/."""
    member: str
    """Its path in the package tarball."""
    sri: str
    """Subresource Integrity of the file (sha384-...)."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str
    """The registry's dist.integrity of the tarball (sha512-...)."""
    assets: tuple[Asset, ...]
    license_member: str | None = None

    @property
    def tarball_path(self) -> str:
        basename = self.name.rsplit("/", 1)[-1]
        return f"{self.name}/-/{basename}-{self.version}.tgz"


# The versions Strawberry's GraphiQL page (strawberry-graphql 0.341) loads. GraphiQL 3
# is the last line published as a browser (UMD) bundle; 4 and 5 are ES modules only.
PACKAGES: tuple[Package, ...] = (
    Package(
        "react",
        "18.2.0",
        "sha512-/3IjMdb2L9QbBdWiW5e3P2/npwMBaU9mHCSCUzNln0ZCYbcfTsGbTJrU/kGemdH2IWmB2ioZ+zkxtmq6g09fGQ==",
        (
            Asset(
                "react.production.min.js",
                "package/umd/react.production.min.js",
                "sha384-tMH8h3BGESGckSAVGZ82T9n90ztNXxvdwvdM6UoR56cYcf+0iGXBliJ29D+wZ/x8",
            ),
        ),
        "package/LICENSE",
    ),
    Package(
        "react-dom",
        "18.2.0",
        "sha512-6IMTriUmvsjHUjNtEDudZfuDQUoWXVxKHhlEGSk81n4YFS+r/Kl99wXiwlVXtPBtJenozv2P+hxDsw9eA7Xo6g==",
        (
            Asset(
                "react-dom.production.min.js",
                "package/umd/react-dom.production.min.js",
                "sha384-bm7MnzvK++ykSwVJ2tynSE5TRdN+xL418osEVF2DE/L/gfWHj91J2Sphe582B1Bh",
            ),
        ),
        "package/LICENSE",
    ),
    Package(
        "graphiql",
        "3.8.3",
        "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
        (
            Asset(
                "graphiql.min.js",
                "package/graphiql.min.js",
                "sha384-HbRVEFG0JGJZeAHCJ9Xm2+tpknBQ7QZmNlO/DgZtkZ0aJSypT96YYGRNod99l9Ie",
            ),
            Asset(
                "graphiql.min.css",
                "package/graphiql.min.css",
                "sha384-Mq3vbRBY71jfjQAt/DcjxUIYY33ksal4cgdRt9U/hNPvHBCaT2JfJ/PTRiPKf0aM",
            ),
        ),
        "package/LICENSE",
    ),
    Package(
        "@graphiql/plugin-explorer",
        "1.0.2",
        "sha512-9j+kg2UjtLZD5EBmGjeWHkoVVxtbShYg2DzbUVebibnZYZM/iMBEF4vaccXJIAm5KaomIPLx0aoNs4LbODyc3Q==",
        (
            Asset(
                "plugin-explorer.umd.js",
                "package/dist/index.umd.js",
                "sha384-2oonKe47vfHIZnmB6ZZ10vl7T0Y+qrHQF2cmNTaFDuPshpKqpUMGMc9jgj9MLDZ9",
            ),
            Asset(
                "plugin-explorer.css",
                "package/dist/style.css",
                "sha384-5DFJlDPW2tSATRbM8kzoP1j194jexLswuNmClWoRr2Q0x7R68JIQzPHZ02Faktwi",
            ),
        ),
        None,  # MIT per its package.json; the tarball has no LICENSE file
    ),
)
ASSETS: dict[str, Asset] = {a.name: a for p in PACKAGES for a in p.assets}
NOTICE = "THIRD-PARTY-LICENSES.txt"


class AssetError(Exception):
    pass


def _digest(algorithm: str, data: bytes) -> str:
    return f"{algorithm}-" + base64.b64encode(hashlib.new(algorithm, data).digest()).decode()


def _matches(path: Path, sri: str) -> bool:
    return path.is_file() and _digest("sha384", path.read_bytes()) == sri


def missing(directory: Path = ASSETS_DIR) -> list[str]:
    """The files that are absent or differ from their pinned hash."""
    return [a.name for a in ASSETS.values() if not _matches(directory / a.name, a.sri)]


def _registry() -> str:
    # The registry npm itself is configured with (a mirror, in some networks).
    return (
        os.environ.get("npm_config_registry")  # noqa: SIM112 - npm's own spelling
        or os.environ.get("NPM_CONFIG_REGISTRY")
        or DEFAULT_REGISTRY
    ).rstrip("/")


def _download(package: Package) -> bytes:
    url = f"{_registry()}/{package.tarball_path}"
    try:
        with urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_S) as response:
            data: bytes = response.read()
    except OSError as error:
        raise AssetError(
            f"GraphiQL のファイル {package.name}@{package.version} を npm レジストリから"
            f"取得できません / cannot download {url}: {error}"
        ) from error
    if _digest("sha512", data) != package.integrity:
        raise AssetError(
            f"{package.name}@{package.version} の tarball がピン留めしたハッシュと一致しません"
            f" / integrity mismatch for {url}"
        )
    return data


def _license(package: Package, tar: tarfile.TarFile) -> str:
    manifest = tar.extractfile("package/package.json")
    declared = json.load(manifest).get("license", "?") if manifest else "?"
    text = ""
    if package.license_member:
        member = tar.extractfile(package.license_member)
        text = member.read().decode("utf-8") if member else ""
    return f"{package.name}@{package.version} ({declared})\n\n{text}".rstrip() + "\n"


def install(directory: Path = ASSETS_DIR, *, log: bool = True) -> list[str]:
    """Put every pinned file into ``directory``; return the names written (none when all
    were in place). Raises AssetError when a download fails or a hash does not match."""
    if not missing(directory):
        return []
    directory.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    notices: list[str] = []
    for package in PACKAGES:
        if log:
            print(f"GraphiQL: {package.name}@{package.version}", file=sys.stderr)
        with tarfile.open(fileobj=io.BytesIO(_download(package)), mode="r:gz") as tar:
            for asset in package.assets:
                member = tar.extractfile(asset.member)
                data = member.read() if member else b""
                if _digest("sha384", data) != asset.sri:
                    raise AssetError(
                        f"{package.name}@{package.version} の {asset.member} がピン留めした"
                        f"ハッシュと一致しません / {asset.member} does not match its pin"
                    )
                (directory / asset.name).write_bytes(data)
                written.append(asset.name)
            notices.append(_license(package, tar))
    (directory / NOTICE).write_text("\n\n".join(notices), encoding="utf-8")
    return written


def main(argv: list[str]) -> int:
    if "--check" in argv:
        absent = missing()
        if absent:
            print(f"GraphiQL: missing or changed: {', '.join(absent)}", file=sys.stderr)
            return 1
        return 0
    try:
        install()
    except AssetError as error:
        print(f"エラー / error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
