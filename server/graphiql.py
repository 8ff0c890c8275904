"""GraphiQL at GET /graphql, entirely from this server (outside production).

The page loads React, GraphiQL and its explorer plugin from ``/graphiql/`` (the files
``server.graphiql_assets`` installed, each checked by its Subresource Integrity hash), and
its Content-Security-Policy lets it reach nothing but this origin: it works on a network
without internet access, and it cannot leak a token elsewhere.

Headers typed into the *Headers* tab (``Authorization: Bearer ...``) are not persisted
(``shouldPersistHeaders: false``, and a storage that blanks the headers GraphiQL would
otherwise keep with each tab, history entry and favourite): an ADMIN token never lands
in the browser's localStorage. Nor do they go into the page's address, which keeps only the query and
the variables (``?q=...&variables=...``) so that a link can share them.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import Route

from kyodo.server.graphiql_assets import ASSETS, ASSETS_DIR, NOTICE, missing

PREFIX = "/graphiql"

STARTING_QUERY = """\
# kyodo の GraphiQL です。Ctrl-Enter か ▶ で実行します。
# トークンなしでは一般公開の情報だけが見えます。
# トークンは下の Headers タブに
#   {"Authorization": "Bearer <token>"}
# と書きます（ブラウザには保存されません）。
{
  collaborations(first: 5) {
    totalCount
    edges { node { title fiscalYearLabel forms department { name } } }
  }
}
"""

# Our own code on the page: a constant, allowed by its hash in the CSP.
_BOOT = """
(function () {
  "use strict";
  var params = new URLSearchParams(window.location.search);
  var STARTING_QUERY = %(starting_query)s;

  function keepInAddress(name, value) {
    var next = new URLSearchParams(window.location.search);
    if (value) { next.set(name, value); } else { next.delete(name); }
    var search = next.toString();
    window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
  }

  // GraphiQL keeps its tabs, history and favourites in localStorage, each with the
  // headers it ran with: shouldPersistHeaders alone still left an ADMIN token in the
  // history. This storage blanks every "headers" text before anything is stored, and
  // never stores the headers editor itself.
  function withoutHeaders(value) {
    if (Array.isArray(value)) { return value.map(withoutHeaders); }
    if (value && typeof value === "object") {
      var copy = {};
      Object.keys(value).forEach(function (key) {
        copy[key] = key === "headers" && typeof value[key] === "string"
          ? "" : withoutHeaders(value[key]);
      });
      return copy;
    }
    return value;
  }
  var storage = {
    getItem: function (key) { return window.localStorage.getItem(key); },
    setItem: function (key, value) {
      if (/:headers$/.test(key)) { window.localStorage.removeItem(key); return; }
      var kept = value;
      try { kept = JSON.stringify(withoutHeaders(JSON.parse(value))); } catch (e) { kept = value; }
      window.localStorage.setItem(key, kept);
    },
    removeItem: function (key) { window.localStorage.removeItem(key); },
    clear: function () {
      Object.keys(window.localStorage).forEach(function (key) {
        if (key.indexOf("graphiql:") === 0) { window.localStorage.removeItem(key); }
      });
    },
    get length() { return window.localStorage.length; },
  };

  var fetcher = GraphiQL.createFetcher({
    url: window.location.origin + window.location.pathname,
  });

  function KyodoGraphiQL() {
    return React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultQuery: STARTING_QUERY,
      query: params.get("q") || undefined,
      variables: params.get("variables") || undefined,
      onEditQuery: function (value) { keepInAddress("q", value); },
      onEditVariables: function (value) { keepInAddress("variables", value); },
      plugins: [GraphiQLPluginExplorer.explorerPlugin()],
      defaultEditorToolsVisibility: true,
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
      storage: storage,
      inputValueDeprecation: true,
    });
  }

  ReactDOM.createRoot(document.getElementById("graphiql")).render(
    React.createElement(KyodoGraphiQL)
  );
})();
"""

_MISSING_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>GraphiQL がありません</title></head>
<body style="font-family: sans-serif; margin: 2em">
<h1>GraphiQL のファイルがインストールされていません</h1>
<p>足りないファイル: %(missing)s</p>
<p><code>make install</code>（または <code>python -m kyodo.server.graphiql_assets</code>）を、
npm レジストリに届くネットワークで一度実行してください。そのあとはインターネットなしで動きます。</p>
<p>GraphiQL's files are not installed: run <code>make install</code> (or
<code>python -m kyodo.server.graphiql_assets</code>) once where the npm registry is reachable.</p>
<p>API そのもの（<code>POST /graphql</code>）はこのままで使えます。</p>
</body></html>
"""


def _sri(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


class GraphiQLPage:
    """The page, built once: its inline script and the CSP that allows only it."""

    def __init__(self, assets_dir: Path = ASSETS_DIR) -> None:
        self.assets_dir = assets_dir
        self.boot = _BOOT % {"starting_query": json.dumps(STARTING_QUERY, ensure_ascii=False)}
        self.csp = "; ".join(
            (
                "default-src 'none'",
                f"script-src 'self' '{_sri(self.boot)}'",
                # GraphiQL and CodeMirror set element styles from script.
                "style-src 'self' 'unsafe-inline'",
                "img-src 'self' data:",
                "font-src 'self' data:",
                "connect-src 'self'",
                "base-uri 'none'",
                "form-action 'none'",
                "frame-ancestors 'none'",
            )
        )
        self.html = self._html()

    def _tag(self, name: str) -> str:
        asset = ASSETS[name]
        src = f"{PREFIX}/{name}"
        if name.endswith(".css"):
            return f'<link rel="stylesheet" href="{src}" integrity="{asset.sri}">'
        return f'<script src="{src}" integrity="{asset.sri}"></script>'

    def _html(self) -> str:
        return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kyodo GraphiQL</title>
<link rel="icon" href="data:,">
<style>html, body {{ height: 100%; margin: 0; overflow: hidden; }} #graphiql {{ height: 100vh; }}</style>
{self._tag("graphiql.min.css")}
{self._tag("plugin-explorer.css")}
</head>
<body>
<div id="graphiql">Loading...</div>
{self._tag("react.production.min.js")}
{self._tag("react-dom.production.min.js")}
{self._tag("graphiql.min.js")}
{self._tag("plugin-explorer.umd.js")}
<script>{self.boot}</script>
</body>
</html>
"""

    def response(self) -> HTMLResponse:
        absent = missing(self.assets_dir)
        if absent:
            page = _MISSING_PAGE % {"missing": html.escape(", ".join(absent))}
            return HTMLResponse(page, status_code=503, headers={"Cache-Control": "no-store"})
        return HTMLResponse(
            self.html,
            headers={
                "Content-Security-Policy": self.csp,
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
            },
        )


def asset_route(assets_dir: Path = ASSETS_DIR) -> Route:
    """GET /graphiql/<file>: only the pinned files and their licence notice."""
    served = {*ASSETS, NOTICE}

    async def asset(request: Request) -> Response:
        name = request.path_params["name"]
        path = assets_dir / name
        if name not in served or not path.is_file():
            raise HTTPException(404)
        return FileResponse(path, headers={"X-Content-Type-Options": "nosniff"})

    return Route(PREFIX + "/{name}", asset, methods=["GET", "HEAD"])
