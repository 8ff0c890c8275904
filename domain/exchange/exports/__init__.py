"""Exports the city can use, on paper too (issue 5): partners, agreements, disaster contacts.

Three lists, each as CSV (UTF-8 with a BOM and CRLF, so that Excel on a city PC opens
it as Japanese text; or CP932 for older tools) and as JSON (UTF-8, sorted keys); the
partners and agreements also as an Excel workbook (.xlsx) that opens as it is, digit
strings (法人番号, 電話番号, 郵便番号) as text; the disaster contacts also as a
self-contained printable HTML page for the day the systems are down (rule 9, 第3章(3)).

- Partners (協働のパートナー): the headers are those ``kyodo import partners`` reads, so an
  export can be edited in a spreadsheet and loaded back.
- Agreements (協定): Hokkaido's open-data layout for disaster-support agreements
  (市町村名, No, 協定の名称, 協定相手方, the eight 協定区分 marked ○), plus 締結日 and the keys
  this system needs at the end.
- Disaster contacts: :func:`domain.agreements.lookup.disaster_support` for one day, one
  table per 協定区分, stale contacts marked.

Every export says which personal data it contains (``personal_reads``), so the HTTP edge
and the CLI can write the access log (APPI) the same way the GraphQL API does.

JSON documents (UTF-8, keys sorted, dates ISO, enums by name):

- partners: an array of partners in ``partnersUpsert``'s field names (``externalId``,
  ``name``, ``nameKana``, ``kind``, ``corporateNumber``, ``status``, ``district``,
  ``representative``, ``address {postalCode prefecture city street}``, ``phone``,
  ``email``, ``website``, ``fieldCodes``), so that ``kyodo import partners`` reads it back;
- agreements: ``{asOf, municipality, category, count, agreements: [{no, externalId, title,
  category, categoryLabel, status, department {code name}, parties [{name kind
  externalId}], supportCategories, supportCategoryLabels, supportDetails, concludedOn,
  concludedOnWareki, effectiveFrom, currentTermEndsOn, autoRenewal}]}``;
- disaster contacts: ``{asOf, asOfWareki, agreementCount, partnerCount, categories:
  [{category, label, count, staleCount, entries: [{partner {name district externalId},
  agreement {title externalId}, supportCategories, contacts [{name role phone email
  availableAroundTheClock}], contactsVerifiedOn, contactsStale}]}], needingReview:
  [{partner {name district externalId status}, agreement {title externalId},
  supportCategories, reason}]}`` — every category, in 協定区分 order, also when empty;
  ``needingReview`` the agreements whose party is DISSOLVED or INACTIVE (「協定の見直しが
  必要」), which the categories leave out.

One module a list: ``partners``, ``agreements`` and ``disaster_contacts`` (read by
``disaster_listing``, printed by ``disaster_page`` from the template
``disaster_page.html``); ``formats`` (the formats, the finished file, the city's name) and
``tables`` (CSV and .xlsx writers) are what they share.
"""

from kyodo.domain.exchange.exports.agreements import AGREEMENT_HEADERS, export_agreements
from kyodo.domain.exchange.exports.disaster_contacts import (
    DISASTER_CONTACT_HEADERS,
    export_disaster_contacts,
)
from kyodo.domain.exchange.exports.formats import (
    CsvEncoding,
    ExportFile,
    ExportFormat,
    PersonalReads,
    UnsupportedFormat,
    csv_encoding,
)
from kyodo.domain.exchange.exports.partners import (
    PARTNER_HEADERS,
    PartnerRecord,
    export_partners,
    partner_document,
)
from kyodo.domain.exchange.municipality import (
    DEFAULT_MUNICIPALITY,
    municipality,
    set_municipality_source,
)

__all__ = [
    "AGREEMENT_HEADERS",
    "DEFAULT_MUNICIPALITY",
    "DISASTER_CONTACT_HEADERS",
    "PARTNER_HEADERS",
    "CsvEncoding",
    "ExportFile",
    "ExportFormat",
    "PartnerRecord",
    "PersonalReads",
    "UnsupportedFormat",
    "csv_encoding",
    "export_agreements",
    "export_disaster_contacts",
    "export_partners",
    "municipality",
    "partner_document",
    "set_municipality_source",
]
