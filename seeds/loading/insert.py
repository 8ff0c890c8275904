"""``_Loader``: one pass over the entity lists in order — the records whose natural key
is not in the database yet, their references looked up in batches, their rows inserted
(one flush per table), then their child rows and the demo's signed 協定書 — counting the
rows it creates per table.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import SQLModel, col

from kyodo.domain.agreements.documents import content_problems, sha256_hex
from kyodo.domain.agreements.models import (
    Agreement,
    AgreementDocument,
    AgreementParty,
    AgreementSupportCategory,
)
from kyodo.domain.collaborations.models import (
    CollaborationCoDepartment,
    CollaborationFieldLink,
    CollaborationFormLink,
    Evaluation,
    Participation,
    ProgressReport,
)
from kyodo.domain.enums import CollaborationForm, SupportCategory
from kyodo.domain.partners.models import Contact, PartnerField
from kyodo.domain.subsidies.models import ExpenseLine
from kyodo.seeds.demo_documents import DEMO_DOCUMENTS, UPLOADED_AT, UPLOADED_BY, demo_pdf
from kyodo.seeds.loading.entities import (
    _CHILDREN,
    _ENTITY_ORDER,
    _REFS,
    _TABLES,
    _TARGETS,
    _child_references,
    table_name,
)
from kyodo.seeds.loading.values import (
    SeedDataError,
    _column_values,
    _enum,
    _set_derived_columns,
    _unique,
)

# Parameters per IN (...) query; far below the limits of SQLite and PostgreSQL.
_IN_CHUNK = 500


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


def _chunks(values: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
