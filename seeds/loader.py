"""Idempotent loader of the demo data in ``seeds/demo/*.json``.

Every JSON file is an object whose keys name entities (``departments``, ``partners``,
``agreements``...) and map to lists of records; a ``description`` key is free text. The
lists of all files are merged, so one entity may be spread over several files.

Records are matched by natural key: ``code`` for departments and collaboration fields,
``external_id`` for everything else. A record whose key already exists is skipped and
never updated; child rows (contacts, participations, agreement parties...) are written
only together with a newly created parent. References between records use the same
natural keys (``"department": "kikikanri"``, ``"partner": "demo-partner-ds-000"``) and may
point at rows already in the database. Dates are ISO strings, enums their names.

The loader flushes but never commits: the caller owns the transaction, so a bad file
leaves nothing half-written once the caller rolls back.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from kyodo.domain.agreements.commands import search_text_of
from kyodo.domain.agreements.documents import content_problems, sha256_hex
from kyodo.domain.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSupportCategory,
)
from kyodo.domain.collaborations.models import (
    Collaboration,
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.collaborations.service import refresh_search_text
from kyodo.domain.data_version import note_data_change
from kyodo.domain.disasters.models import (
    CapacityReport,
    ContactVerification,
    DisasterEvent,
    SupportRequest,
)
from kyodo.domain.endorsements.models import EndorsementApplication
from kyodo.domain.enums import CollaborationForm, SupportCategory
from kyodo.domain.partners.models import Contact, Partner, PartnerField
from kyodo.domain.partners.service import refresh_derived_fields
from kyodo.domain.proposals.models import Proposal
from kyodo.domain.reference.models import CollaborationField, Department
from kyodo.domain.subsidies.models import ExpenseLine, SubsidyApplication, SubsidyProgram
from kyodo.domain.subsidies.service import series_key_of
from kyodo.seeds.demo_documents import DEMO_DOCUMENTS, UPLOADED_AT, UPLOADED_BY, demo_pdf

DEMO_DIR = Path(__file__).with_name("demo")

# Keys in a seed file that are not entities.
_META_KEYS = frozenset({"description"})

# Columns the loader computes itself or that the database fills in.
_MANAGED_COLUMNS = frozenset(
    {"id", "version", "created_at", "updated_at", "sort_key", "search_text"}
)

# Parameters per IN (...) query; far below the limits of SQLite and PostgreSQL.
_IN_CHUNK = 500


class SeedDataError(ValueError):
    """A seed file is malformed or refers to something that does not exist."""


# ---------------------------------------------------------------- reading the files


def read_seed_files(directory: Path = DEMO_DIR) -> dict[str, list[dict[str, Any]]]:
    """Merge the entity lists of every ``*.json`` file in the directory (sorted by name)."""
    merged: dict[str, list[dict[str, Any]]] = defaultdict(list)
    paths = sorted(directory.glob("*.json"))
    if not paths:
        raise SeedDataError(f"no seed files in {directory}")
    for path in paths:
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise SeedDataError(f"{path.name}: not valid JSON ({error})") from error
        if not isinstance(document, dict):
            raise SeedDataError(f"{path.name}: expected an object of entity lists")
        for entity, records in document.items():
            if entity in _META_KEYS:
                continue
            if entity not in _ENTITY_ORDER:
                raise SeedDataError(f"{path.name}: unknown entity {entity!r}")
            if not isinstance(records, list):
                raise SeedDataError(f"{path.name}: {entity} must be a list")
            merged[entity].extend(records)
    return dict(merged)


# ---------------------------------------------------------------- loading


async def database_is_empty(session: AsyncSession) -> bool:
    """True when there are neither departments nor partners (nothing loaded yet)."""
    for table in (Department.__table__, Partner.__table__):  # type: ignore[attr-defined]
        if await session.scalar(sa.select(sa.literal(1)).select_from(table).limit(1)):
            return False
    return True


# Several app instances may start at once on one PostgreSQL, each seeding an empty
# database: the first takes this lock and loads, the others wait and find data.
SEED_LOCK_ID = 4_242_002


async def load_demo_data_if_empty(session: AsyncSession) -> dict[str, int] | None:
    """Load the demo data into an empty database; None when there was data already.

    Safe to run from several processes at once on PostgreSQL (transaction-level advisory
    lock, released at commit); SQLite serialises writers by itself.
    """
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(sa.text(f"SELECT pg_advisory_xact_lock({SEED_LOCK_ID})"))
    if not await database_is_empty(session):
        return None
    return await load_demo_data(session)


async def load_demo_data(session: AsyncSession, *, directory: Path | None = None) -> dict[str, int]:
    """Insert the demo records that are missing; return the number of rows created per table.

    Idempotent: a second call creates nothing and returns zeros. Flushes, never commits.
    """
    data = read_seed_files(directory or DEMO_DIR)
    loader = _Loader(session)
    await loader.load(data)
    if any(loader.created.values()):
        note_data_change(session)  # no audit event marks it: the data version moves
    return dict(loader.created)


@dataclass(frozen=True)
class _Target:
    """A table whose rows seeds refer to by natural key."""

    model: type[SQLModel]
    key: str  # column holding the natural key


_TARGETS: dict[str, _Target] = {
    "department": _Target(Department, "code"),
    "field": _Target(CollaborationField, "code"),
    "partner": _Target(Partner, "external_id"),
    "subsidy_program": _Target(SubsidyProgram, "external_id"),
    "collaboration": _Target(Collaboration, "external_id"),
    "agreement": _Target(Agreement, "external_id"),
    "subsidy_application": _Target(SubsidyApplication, "external_id"),
    "endorsement_application": _Target(EndorsementApplication, "external_id"),
    "proposal": _Target(Proposal, "external_id"),
    "disaster_event": _Target(DisasterEvent, "external_id"),
    "support_request": _Target(SupportRequest, "external_id"),
    "contact_verification": _Target(ContactVerification, "external_id"),
    "capacity_report": _Target(CapacityReport, "external_id"),
}

# Entity list name in the files → target; loaded in this order (references point back).
_ENTITY_ORDER: dict[str, str] = {
    "departments": "department",
    "collaboration_fields": "field",
    "partners": "partner",
    "subsidy_programs": "subsidy_program",
    "collaborations": "collaboration",
    "agreements": "agreement",
    "subsidy_applications": "subsidy_application",
    "endorsement_applications": "endorsement_application",
    "proposals": "proposal",
    "disaster_events": "disaster_event",
    "support_requests": "support_request",
    "contact_verifications": "contact_verification",
    "capacity_reports": "capacity_report",
}

_TABLES: tuple[type[SQLModel], ...] = (
    Department,
    CollaborationField,
    Partner,
    PartnerField,
    Contact,
    SubsidyProgram,
    Collaboration,
    CollaborationFormLink,
    CollaborationFieldLink,
    CollaborationCoDepartment,
    Participation,
    ProgressReport,
    Evaluation,
    Agreement,
    AgreementParty,
    AgreementSupportCategory,
    SubsidyApplication,
    ExpenseLine,
    EndorsementApplication,
    Proposal,
    DisasterEvent,
    SupportRequest,
    ContactVerification,
    CapacityReport,
    AgreementDocument,
)


def table_name(model: type[SQLModel]) -> str:
    return str(model.__tablename__)


@dataclass(frozen=True)
class _Ref:
    """A record field naming another record: ``"department": "kikikanri"`` → department_id."""

    field: str
    column: str
    target: str
    required: bool = True


_REFS: dict[str, tuple[_Ref, ...]] = {
    "department": (),
    "field": (),
    "partner": (),
    "subsidy_program": (_Ref("department", "department_id", "department"),),
    "collaboration": (
        _Ref("department", "department_id", "department"),
        _Ref("subsidy_program", "subsidy_program_id", "subsidy_program", required=False),
    ),
    # ``amends`` is resolved after the flush, as it may name an agreement of the same batch.
    "agreement": (
        _Ref("department", "department_id", "department"),
        _Ref("collaboration", "collaboration_id", "collaboration", required=False),
    ),
    "subsidy_application": (
        _Ref("program", "program_id", "subsidy_program"),
        _Ref("applicant", "applicant_id", "partner"),
    ),
    "endorsement_application": (
        _Ref("organizer", "organizer_id", "partner"),
        _Ref("department", "department_id", "department"),
    ),
    "proposal": (
        _Ref("proposer", "proposer_id", "partner", required=False),
        _Ref("department", "department_id", "department"),
        _Ref("collaboration", "collaboration_id", "collaboration", required=False),
    ),
    "disaster_event": (),
    "support_request": (
        _Ref("event", "event_id", "disaster_event"),
        _Ref("agreement", "agreement_id", "agreement"),
        _Ref("partner", "partner_id", "partner"),
    ),
    "contact_verification": (_Ref("partner", "partner_id", "partner"),),
    "capacity_report": (_Ref("partner", "partner_id", "partner"),),
}

# Record fields that describe child rows (handled per entity, not copied to columns).
_CHILDREN: dict[str, frozenset[str]] = {
    "partner": frozenset({"fields", "contacts"}),
    "collaboration": frozenset(
        {"forms", "fields", "co_departments", "participations", "progress_reports", "evaluation"}
    ),
    "agreement": frozenset({"amends", "parties", "support_categories", "emergency_contacts"}),
    "subsidy_application": frozenset({"expenses"}),
}


class _Loader:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.ids: dict[str, dict[str, int]] = {target: {} for target in _TARGETS}
        self.created: dict[str, int] = {table_name(model): 0 for model in _TABLES}

    async def load(self, data: Mapping[str, list[dict[str, Any]]]) -> None:
        for entity, target in _ENTITY_ORDER.items():
            records = data.get(entity, [])
            new_records = await self._new_records(target, records)
            await self._prefetch_references(target, new_records)
            rows = [self._row(target, record) for record in new_records]
            await self._insert(rows)
            key = _TARGETS[target].key
            new_rows = {}
            for record, row in zip(new_records, rows, strict=True):
                self.ids[target][record[key]] = row.id  # type: ignore[attr-defined]
                new_rows[record[key]] = row
            await self._children(target, new_records, new_rows)
        await self._documents()

    async def _documents(self) -> None:
        """The demo's signed 協定書 (seeds/demo_documents.py), for agreements that have
        none yet; checked by the rule every stored document meets."""
        keys = [document.agreement for document in DEMO_DOCUMENTS]
        found = dict(
            (
                await self.session.execute(
                    sa.select(Agreement.external_id, Agreement.id).where(
                        col(Agreement.external_id).in_(keys)
                    )
                )
            ).all()
        )
        documented = set(
            (
                await self.session.execute(
                    sa.select(AgreementDocument.agreement_id).where(
                        col(AgreementDocument.agreement_id).in_(list(found.values()))
                    )
                )
            ).scalars()
        )
        rows = []
        for document in DEMO_DOCUMENTS:
            agreement_id = found.get(document.agreement)
            if agreement_id is None:
                raise SeedDataError(f"demo document: no agreement {document.agreement!r}")
            if agreement_id in documented:
                continue
            content = demo_pdf(document.lines)
            problems = content_problems(content, max_bytes=None)
            if problems:
                raise SeedDataError(f"demo document {document.file_name}: {problems[0].message}")
            rows.append(
                AgreementDocument(
                    agreement_id=agreement_id,
                    file_name=document.file_name,
                    size_bytes=len(content),
                    sha256=sha256_hex(content),
                    uploaded_at=UPLOADED_AT,
                    uploaded_by=UPLOADED_BY,
                    content=content,
                )
            )
        await self._insert(rows)

    # -- natural keys

    async def _new_records(
        self, target: str, records: Sequence[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        key = _TARGETS[target].key
        seen: set[str] = set()
        for record in records:
            value = record.get(key)
            if not isinstance(value, str) or not value:
                raise SeedDataError(f"{target}: every record needs a {key} ({record!r:.80})")
            if value in seen:
                raise SeedDataError(f"{target}: {key} {value!r} appears twice")
            seen.add(value)
        await self._fetch_ids(target, seen)
        return [record for record in records if record[key] not in self.ids[target]]

    async def _fetch_ids(self, target: str, keys: Iterable[str]) -> None:
        """Look up the ids of keys not known yet, with one query per 500 keys."""
        spec = _TARGETS[target]
        known = self.ids[target]
        missing = sorted({k for k in keys if k not in known})
        key_column = getattr(spec.model, spec.key)
        id_column = spec.model.id  # type: ignore[attr-defined]
        for chunk in _chunks(missing, _IN_CHUNK):
            result = await self.session.execute(
                sa.select(key_column, id_column).where(key_column.in_(chunk))
            )
            known.update({k: i for k, i in result.all()})

    async def _prefetch_references(self, target: str, records: Sequence[dict[str, Any]]) -> None:
        wanted: dict[str, set[str]] = defaultdict(set)
        for record in records:
            for ref in _REFS[target]:
                if record.get(ref.field) is not None:
                    wanted[ref.target].add(record[ref.field])
            for ref_target, key in _child_references(target, record):
                wanted[ref_target].add(key)
        for ref_target, keys in wanted.items():
            await self._fetch_ids(ref_target, keys)

    def _id(self, target: str, key: Any, *, context: str) -> int:
        try:
            return self.ids[target][key]
        except (KeyError, TypeError):
            raise SeedDataError(f"{context}: unknown {target} {key!r}") from None

    # -- rows

    def _row(self, target: str, record: dict[str, Any]) -> SQLModel:
        spec = _TARGETS[target]
        context = f"{target} {record[spec.key]}"
        values: dict[str, Any] = {}
        refs = _REFS[target]
        for ref in refs:
            value = record.get(ref.field)
            if value is None:
                if ref.required:
                    raise SeedDataError(f"{context}: {ref.field} is required")
                continue
            values[ref.column] = self._id(ref.target, value, context=context)
        skip = {ref.field for ref in refs} | _CHILDREN.get(target, frozenset())
        values.update(_column_values(spec.model, record, skip=skip, context=context))
        row = spec.model(**values)
        _set_derived_columns(row)
        return row

    async def _insert(self, rows: Sequence[SQLModel]) -> None:
        if not rows:
            return
        self.session.add_all(rows)
        await self.session.flush()
        self.created[table_name(type(rows[0]))] += len(rows)

    async def _insert_all(self, rows: Sequence[SQLModel]) -> None:
        """Insert rows of several tables, flushing once per table."""
        by_table: dict[type[SQLModel], list[SQLModel]] = defaultdict(list)
        for row in rows:
            by_table[type(row)].append(row)
        for table_rows in by_table.values():
            await self._insert(table_rows)

    # -- children of newly created records

    async def _children(
        self,
        target: str,
        records: Sequence[dict[str, Any]],
        new_rows: Mapping[str, SQLModel],
    ) -> None:
        key = _TARGETS[target].key
        rows: list[SQLModel] = []
        for record in records:
            parent_id = self.ids[target][record[key]]
            context = f"{target} {record[key]}"
            if target == "partner":
                rows += self._partner_children(parent_id, record, context)
            elif target == "collaboration":
                rows += self._collaboration_children(parent_id, record, context)
            elif target == "agreement":
                rows += self._agreement_children(parent_id, record, context)
            elif target == "subsidy_application":
                rows += [
                    ExpenseLine(
                        application_id=parent_id,
                        position=position,
                        **_column_values(ExpenseLine, item, context=context),
                    )
                    for position, item in enumerate(record.get("expenses", []))
                ]
        if target == "agreement":
            await self._link_amendments(records, new_rows)
        await self._insert_all(rows)

    def _partner_children(
        self, partner_id: int, record: dict[str, Any], context: str
    ) -> list[SQLModel]:
        rows: list[SQLModel] = [
            PartnerField(partner_id=partner_id, field_id=self._id("field", code, context=context))
            for code in _unique(record.get("fields", []), context=context, what="field")
        ]
        rows += [
            Contact(
                partner_id=partner_id,
                position=position,
                **_column_values(Contact, item, context=context),
            )
            for position, item in enumerate(record.get("contacts", []))
        ]
        return rows

    def _collaboration_children(
        self, collaboration_id: int, record: dict[str, Any], context: str
    ) -> list[SQLModel]:
        rows: list[SQLModel] = [
            CollaborationFormLink(
                collaboration_id=collaboration_id, form=_enum(CollaborationForm, form, context)
            )
            for form in _unique(record.get("forms", []), context=context, what="form")
        ]
        rows += [
            CollaborationFieldLink(
                collaboration_id=collaboration_id,
                field_id=self._id("field", code, context=context),
            )
            for code in _unique(record.get("fields", []), context=context, what="field")
        ]
        rows += [
            CollaborationCoDepartment(
                collaboration_id=collaboration_id,
                department_id=self._id("department", code, context=context),
            )
            for code in _unique(
                record.get("co_departments", []), context=context, what="co-department"
            )
        ]
        participants = [item.get("partner") for item in record.get("participations", [])]
        _unique(participants, context=context, what="participant")
        rows += [
            Participation(
                collaboration_id=collaboration_id,
                partner_id=self._id("partner", item.get("partner"), context=context),
                **_column_values(Participation, item, skip={"partner"}, context=context),
            )
            for item in record.get("participations", [])
        ]
        rows += [
            ProgressReport(
                collaboration_id=collaboration_id,
                **_column_values(ProgressReport, item, context=context),
            )
            for item in record.get("progress_reports", [])
        ]
        if record.get("evaluation"):
            rows.append(
                Evaluation(
                    collaboration_id=collaboration_id,
                    **_column_values(Evaluation, record["evaluation"], context=context),
                )
            )
        return rows

    def _agreement_children(
        self, agreement_id: int, record: dict[str, Any], context: str
    ) -> list[SQLModel]:
        parties = _unique(record.get("parties", []), context=context, what="party")
        rows: list[SQLModel] = [
            AgreementParty(
                agreement_id=agreement_id,
                partner_id=self._id("partner", key, context=context),
                position=position,
            )
            for position, key in enumerate(parties)
        ]
        rows += [
            AgreementSupportCategory(
                agreement_id=agreement_id, category=_enum(SupportCategory, category, context)
            )
            for category in _unique(
                record.get("support_categories", []), context=context, what="support category"
            )
        ]
        for position, item in enumerate(record.get("emergency_contacts", [])):
            party = item.get("partner")
            if party not in parties:
                raise SeedDataError(f"{context}: emergency contact for {party!r}, not a party")
            rows.append(
                Contact(
                    agreement_id=agreement_id,
                    partner_id=self._id("partner", party, context=context),
                    position=position,
                    is_emergency_contact=True,
                    **_column_values(
                        Contact, item, skip={"partner", "is_emergency_contact"}, context=context
                    ),
                )
            )
        return rows

    async def _link_amendments(
        self, records: Sequence[dict[str, Any]], new_rows: Mapping[str, SQLModel]
    ) -> None:
        """Point amendments (改正) at the agreement they revise, once both have ids."""
        amending = [record for record in records if record.get("amends")]
        if not amending:
            return
        await self._fetch_ids("agreement", (record["amends"] for record in amending))
        for record in amending:
            context = f"agreement {record['external_id']}"
            row = new_rows[record["external_id"]]
            row.amends_id = self._id("agreement", record["amends"], context=context)  # type: ignore[attr-defined]
        await self.session.flush()


def _child_references(target: str, record: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(target, key) of every record a child row of this record refers to."""
    if target in {"partner", "collaboration"}:
        for code in record.get("fields", []):
            yield "field", code
    if target == "collaboration":
        for code in record.get("co_departments", []):
            yield "department", code
        for item in record.get("participations", []):
            yield "partner", item.get("partner")
    if target == "agreement":
        for key in record.get("parties", []):
            yield "partner", key


def _set_derived_columns(row: SQLModel) -> None:
    """Fill the derived columns exactly as the domain's own writes do."""
    if isinstance(row, Partner):
        refresh_derived_fields(row)
    elif isinstance(row, Collaboration):
        refresh_search_text(row)
    elif isinstance(row, Agreement):
        row.search_text = search_text_of(row.title, row.support_details)
    elif isinstance(row, SubsidyProgram):
        # The series key as subsidyProgramCreate sets it: given, else from the name.
        row.series_key = series_key_of(getattr(row, "series_key", None) or row.name)


def _column_values(
    model: type[SQLModel],
    item: Mapping[str, Any],
    *,
    skip: Iterable[str] = (),
    context: str,
) -> dict[str, Any]:
    """Copy a record's fields to column values, parsing dates and enum names.

    Unknown fields, managed columns and raw foreign keys are refused, so a typo in a seed
    file fails loudly instead of being dropped.
    """
    if not isinstance(item, Mapping):
        raise SeedDataError(f"{context}: expected an object, got {item!r:.80}")
    table = model.__table__  # type: ignore[attr-defined]
    skipped = set(skip)
    values: dict[str, Any] = {}
    for name, raw in item.items():
        if name in skipped:
            continue
        column = table.c.get(name)
        if column is None or name in _MANAGED_COLUMNS or column.foreign_keys:
            raise SeedDataError(f"{context}: {table.name} has no settable field {name!r}")
        values[name] = _convert(column, raw, context=f"{context}: {name}")
    return values


def _convert(column: sa.Column[Any], raw: Any, *, context: str) -> Any:
    if raw is None:
        return None
    column_type = column.type
    if isinstance(column_type, sa.Enum) and column_type.enum_class is not None:
        return _enum(column_type.enum_class, raw, context)
    if isinstance(column_type, sa.Date):
        try:
            return date.fromisoformat(raw)
        except (TypeError, ValueError):
            raise SeedDataError(f"{context}: {raw!r} is not an ISO date") from None
    if isinstance(column_type, sa.DateTime):
        try:
            moment = datetime.fromisoformat(raw)
        except (TypeError, ValueError):
            raise SeedDataError(f"{context}: {raw!r} is not an ISO date and time") from None
        # stored in UTC, as the domain's writes do (SQLite keeps no offset)
        return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    return raw


def _enum(enum_class: Any, name: Any, context: str) -> Any:
    try:
        return enum_class[name]
    except KeyError:
        raise SeedDataError(f"{context}: {name!r} is not a {enum_class.__name__}") from None


def _unique(values: Sequence[Any], *, context: str, what: str) -> list[Any]:
    if len(set(values)) != len(values):
        raise SeedDataError(f"{context}: a {what} is listed twice")
    return list(values)


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
