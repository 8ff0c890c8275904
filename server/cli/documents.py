"""``kyodo documents``: register the front ends' operations as trusted documents.

Files understood:

- ``.graphql`` / ``.gql``: operation files. All files given are read together, so an
  operation may use fragments of another file. Each operation becomes one document: the
  operation and the fragments it uses (directly or through other fragments), printed in
  GraphQL's standard form (``graphql.print_ast``, as Apollo Client's ``print``); its id
  is the SHA-256 (hex) of that text.
- ``.json``: an Apollo persisted-query manifest (``@apollo/generate-persisted-query-
  manifest``: ``{"format": "apollo-persisted-query-manifest", "operations": [{"id",
  "name", "body"}, ...]}``) or a Relay ``persisted_queries.json`` (``{"<id>": "<text>"}``);
  the ids are the ones the client sends.

Every document must parse and pass the API's validation (the schema and every limit);
otherwise nothing is registered and each problem is printed with its file and operation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    OperationDefinitionNode,
    Visitor,
    parse,
    print_ast,
    visit,
)

from kyodo.server.cli.common import actor, console, in_session, when

documents_app = typer.Typer(
    help="登録済みの操作 / Trusted documents: operations a client may send by id "
    "(KYODO_TRUSTED_DOCUMENTS).",
    no_args_is_help=True,
)

APOLLO_MANIFEST = "apollo-persisted-query-manifest"


class DocumentFileError(ValueError):
    """A file or operation that cannot be registered; the message says why, in Japanese."""


@dataclass(frozen=True, slots=True)
class Found:
    id: str
    body: str
    operation_name: str | None
    source: str


class _Spreads(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.names: list[str] = []

    def enter_fragment_spread(self, node: FragmentSpreadNode, *_args: Any) -> None:
        if node.name.value not in self.names:
            self.names.append(node.name.value)


def _spreads(node: Any) -> list[str]:
    visitor = _Spreads()
    visit(node, visitor)
    return visitor.names


def _operation_documents(files: list[tuple[Path, str]]) -> list[Found]:
    operations: list[tuple[Path, OperationDefinitionNode]] = []
    fragments: dict[str, FragmentDefinitionNode] = {}
    for path, text in files:
        try:
            document = parse(text)
        except GraphQLError as error:
            raise DocumentFileError(
                f"{path}: GraphQL として読めません（{error.message}）"
            ) from None
        for definition in document.definitions:
            if isinstance(definition, OperationDefinitionNode):
                operations.append((path, definition))
            elif isinstance(definition, FragmentDefinitionNode):
                name = definition.name.value
                if name in fragments and print_ast(fragments[name]) != print_ast(definition):
                    raise DocumentFileError(
                        f"{path}: フラグメント {name} が二通りに定義されています。"
                    )
                fragments[name] = definition
    found = []
    for path, operation in operations:
        used: list[str] = []
        pending = _spreads(operation)
        while pending:
            name = pending.pop(0)
            if name in used:
                continue
            if name not in fragments:
                label = operation.name.value if operation.name else "（名前なし）"
                raise DocumentFileError(
                    f"{path}: 操作 {label} が使うフラグメント {name} がどのファイルにもありません。"
                )
            used.append(name)
            pending.extend(n for n in _spreads(fragments[name]) if n not in used)
        body = print_ast(DocumentNode(definitions=(operation, *(fragments[n] for n in used))))
        found.append(
            Found(
                id=hashlib.sha256(body.encode()).hexdigest(),
                body=body,
                operation_name=operation.name.value if operation.name else None,
                source=str(path),
            )
        )
    return found


def _manifest_documents(path: Path, text: str) -> list[Found]:
    try:
        manifest = json.loads(text)
    except json.JSONDecodeError as error:
        raise DocumentFileError(f"{path}: JSON として読めません（{error.msg}）") from None
    if isinstance(manifest, dict) and manifest.get("format") == APOLLO_MANIFEST:
        found = []
        for i, operation in enumerate(manifest.get("operations") or ()):
            if not isinstance(operation, dict) or not isinstance(operation.get("body"), str):
                raise DocumentFileError(f"{path}: operations[{i}] に body がありません。")
            body = operation["body"]
            digest = hashlib.sha256(body.encode()).hexdigest()
            given = operation.get("id", digest)
            if given != digest:
                raise DocumentFileError(
                    f"{path}: operations[{i}] の id が body の SHA-256 と一致しません。"
                )
            found.append(Found(digest, body, operation.get("name"), str(path)))
        return found
    if isinstance(manifest, dict) and all(
        isinstance(k, str) and isinstance(v, str) for k, v in manifest.items()
    ):
        return [Found(k, v, _operation_name(v), str(path)) for k, v in manifest.items()]
    raise DocumentFileError(
        f"{path}: Apollo のマニフェスト（format: {APOLLO_MANIFEST}）でも、"
        "Relay の persisted_queries.json（ID と本文の対応）でもありません。"
    )


def _operation_name(body: str) -> str | None:
    try:
        document = parse(body)
    except GraphQLError:
        return None
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode) and definition.name:
            return definition.name.value
    return None


def read_documents(paths: list[Path]) -> list[Found]:
    """The documents of ``paths``, each checked against the live schema and its limits."""
    from strawberry.schema.schema import validate_document

    from kyodo.schema import schema
    from kyodo.schema.document_cache import validation_rules_of
    from kyodo.schema.extensions import MAX_TOKENS

    operation_files: list[tuple[Path, str]] = []
    found: list[Found] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise DocumentFileError(f"{path}: 読めません（{error}）") from None
        if path.suffix.lower() == ".json":
            found.extend(_manifest_documents(path, text))
        else:
            operation_files.append((path, text))
    found.extend(_operation_documents(operation_files))
    if not found:
        raise DocumentFileError("登録する操作がありません。")
    rules = validation_rules_of(schema)
    problems = []
    for document in found:
        label = f"{document.source} の {document.operation_name or '（名前なし）'}"
        try:
            parsed = parse(document.body, max_tokens=MAX_TOKENS)
        except GraphQLError as error:
            problems.append(f"{label}: {error.message}")
            continue
        for error in validate_document(schema._schema, parsed, rules):
            problems.append(f"{label}: {error.message}")
    if problems:
        raise DocumentFileError("\n".join(problems))
    return found


@documents_app.command("register")
def register(
    files: list[Path] = typer.Argument(
        ..., help=".graphql / .gql operation files or .json manifests"
    ),
) -> None:
    """操作を登録する / Register operations as trusted documents (all or none); prints each id and name."""
    from kyodo.domain.documents import service

    try:
        found = read_documents(files)
    except DocumentFileError as error:
        for line in str(error).splitlines():
            console.print(f"[red]エラー[/red]: {line}", highlight=False)
        raise typer.Exit(1) from None
    new = [service.NewDocument(d.id, d.body, d.operation_name, d.source) for d in found]
    result = in_session(lambda s: service.register_documents(s, new, actor=actor()))
    for document in found:
        typer.echo(f"{document.id}\t{document.operation_name or ''}")
    console.print(
        f"登録しました: 新規 {len(result.created)} 件、登録済み {len(result.unchanged)} 件。",
        highlight=False,
    )


@documents_app.command("list")
def list_command() -> None:
    """登録の一覧 / Every registered document: id, operation, when, from which file."""
    from rich.table import Table

    from kyodo.domain.documents import service

    rows = in_session(service.list_documents, writes=False)
    table = Table("id", "operation", "registered", "source")
    for row in rows:
        table.add_row(row.id, row.operation_name or "", when(row.registered_at), row.source)
    from rich.console import Console

    Console(width=200).print(table)


@documents_app.command("remove")
def remove(
    ids: list[str] = typer.Argument(..., help="Document ids (as `list` shows them)"),
) -> None:
    """登録を外す / Remove registered documents (all named, or none); clients using them are refused."""
    from kyodo.domain.documents import service

    removed = in_session(lambda s: service.remove_documents(s, ids, actor=actor()))
    console.print(
        f"削除しました: {len(removed)} 件（動いているサーバーは1分以内に拒否し始めます）。",
        highlight=False,
    )
