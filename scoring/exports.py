"""Exports of a published ranking and of a dealer's scorecard as CSV or XLSX: the page's lines, one row a line, with
the figures unrounded (full precision, as the snapshot keeps them) so anyone can recompute a score; the pages round
them once where they show them."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook

from dealer_portal.tenancy.content import localized

from .kpis import PERCENT
from .models import EntryStatus, FocusArea, RankingEntry

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def ranking_table(lines: list[RankingEntry]) -> tuple[list[str], list[list]]:
    """Header and rows of a ranking export, in the order the page lists the lines."""
    header = [_("Rank"), _("Movement"), _("Dealer code"), _("Dealer"), _("Region"), _("POE (%)"),
              _("Service Quality (%)"), _("Speed (%)"), _("Compliance (%)"), _("Overall (%)"), _("Stars"),
              _("Rank in region"), _("Top 5"), _("Status")]
    rows = [[line.rank_network, line.movement_text, line.dealer.code, line.dealer.name, line.region.name, line.poe,
             line.service_quality, line.speed, line.compliance, line.overall, line.stars, line.rank_region,
             _("yes") if line.is_top_five else "", EntryStatus(line.status).label]
            for line in lines]
    return header, rows


def kpi_note(kpi: dict, *, min_sample: int) -> str:
    """What a KPI left out of Service Quality says instead of a score."""
    if kpi.get("enough_data"):
        return ""
    return _("Not enough data (%(cases)s cases, minimum %(minimum)s)") % {"cases": kpi.get("cases") or 0,
                                                                         "minimum": min_sample}


def scorecard_table(card: dict, *, min_sample: int, entry: RankingEntry | None) -> tuple[list[str], list[list]]:
    """Header and rows of a scorecard export: summary, POE sections, focus areas, then every KPI."""
    header = [_("Part"), _("Name"), _("Value"), _("Unit"), _("Cases"), _("Met"), _("Target"), _("Weight"),
              _("Redistributed weight"), _("Score"), _("Note")]

    def summary(name, value, unit="%"):
        return [_("Summary"), name, value, unit if value is not None else "", None, None, None, None, None, None, ""]

    rows = [[_("Summary"), _("Status"), str(EntryStatus(card["status"]).label), "", None, None, None, None, None,
             None, ""],
            summary(_("Overall"), card.get("overall")), summary(_("Stars"), card.get("stars"), unit=""),
            summary(_("POE"), card.get("poe")), summary(_("Service Quality"), card.get("service_quality")),
            summary(_("Speed"), card.get("speed")), summary(_("Compliance"), card.get("compliance"))]
    if entry is not None:
        rows += [summary(_("Rank in the network"), entry.rank_network, unit=""),
                 summary(_("Rank in the region"), entry.rank_region, unit="")]
    for section in card.get("poe_sections", []):
        rows.append([_("POE section"), localized(section, "title"), section["percent"], "%",
                     None, None, None, None, None, None,
                     _("%(achieved)s of %(applicable)s points") % section])
    for area in card.get("focus_areas", []):
        rows.append([_("Focus area"), str(FocusArea(area["area"]).label), area["percent"],
                     "%" if area["percent"] is not None else "", None, None, None, None, None, None, ""])
    for kpi in card.get("kpis", []):
        unit = "%" if kpi["unit"] == PERCENT else pgettext("unit: hours", "h")
        rows.append([_("KPI"), localized(kpi, "name"), kpi["value"], unit if kpi["value"] is not None else "",
                     kpi["cases"], kpi["met"], kpi["target"], kpi["weight"], kpi["effective_weight"], kpi["score"],
                     kpi_note(kpi, min_sample=min_sample)])
    return header, rows


def _safe_text(value) -> str:
    # A spreadsheet must never read a dealer name such as "=HYPERLINK(...)" as a formula.
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal):
        return str(value)
    return _safe_text(value)


def _xlsx_value(value):
    if isinstance(value, Decimal):
        return float(value)
    if value is None or isinstance(value, int | float):
        return value
    return _safe_text(value)


def table_response(fmt: str, *, filename: str, title: str, header: list[str], rows: list[list]) -> HttpResponse:
    """The table as a downloadable CSV or XLSX file; any other format is a 404."""
    if fmt not in FORMATS:
        raise Http404(_("No such export format."))
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow([str(name) for name in header])
        writer.writerows([[_csv_value(value) for value in row] for row in rows])
        content = buffer.getvalue().encode("utf-8-sig")  # the BOM makes spreadsheet programs read UTF-8
    else:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=title[:31])
        sheet.append([str(name) for name in header])
        for row in rows:
            sheet.append([_xlsx_value(value) for value in row])
        buffer = io.BytesIO()
        workbook.save(buffer)
        content = buffer.getvalue()
    response = HttpResponse(content, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
