"""The supervisors' reports page and the CSV export of each of its tables."""

import contextlib
import csv
import io
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import urlencode

from django import forms
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from servicedesk.catalog.models import SupportGroup

from ..decorators import supervisor_required
from ..forms import GROUP_INVALID, DateRangeForm, date_field
from ..reports import TABLES, Column, Table, comments_table, survey_comments

DEFAULT_DAYS = 30  # the default period: the last 30 days, today included
COMMENTS_PER_PAGE = 20
MIN_DATE, MAX_DATE = date(2000, 1, 1), date(2099, 12, 31)
DATE_OUT_OF_RANGE = "Informe uma data entre 01/01/2000 e 31/12/2099."
# The page shows the tables in this order; the comments, paginated, come last.
PAGE_TABLES = [slug for slug in TABLES if slug != "comentarios"]


def _typed(value: date) -> str:
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


class ReportFilterForm(DateRangeForm):
    de = date_field("De", required=True)
    ate = date_field("Até", required=True)
    grupo = forms.ModelChoiceField(
        label="Grupo",
        required=False,
        queryset=SupportGroup.objects.order_by("name"),
        empty_label="Todos",
        error_messages={"invalid_choice": GROUP_INVALID},
    )

    def __init__(self, params):
        # Missing dates take the default period, so the form always shows what is reported.
        data = params.copy()
        today = timezone.localdate(timezone=timezone.get_default_timezone())
        # ISO dates (the links of the page) are shown as people type them.
        for name in ("de", "ate"):
            with contextlib.suppress(ValueError):
                data[name] = _typed(date.fromisoformat(data.get(name, "")))
        if not data.get("ate"):
            data["ate"] = _typed(today)
        if not data.get("de"):
            data["de"] = _typed(today - timedelta(days=DEFAULT_DAYS - 1))
        super().__init__(data)

    def _clean_date(self, name: str) -> date:
        value = self.cleaned_data[name]
        if not MIN_DATE <= value <= MAX_DATE:
            raise forms.ValidationError(DATE_OUT_OF_RANGE)
        return value

    def clean_de(self):
        return self._clean_date("de")

    def clean_ate(self):
        return self._clean_date("ate")

    def filters(self) -> dict:
        """Keywords of the functions of desk.reports."""
        data = self.cleaned_data
        return {"start": data["de"], "end": data["ate"], "group": data["grupo"]}

    def query(self) -> str:
        """The filters as a query string (ISO dates), for links that keep them."""
        data = self.cleaned_data
        params = {"de": data["de"].isoformat(), "ate": data["ate"].isoformat()}
        if data["grupo"]:
            params["grupo"] = data["grupo"].pk
        return urlencode(params)

    def error_messages(self) -> list[str]:
        return [
            f"{self[name].label}: {error}"
            for name, errors in self.errors.items()
            for error in errors
        ]


# --- Cells: pt-BR on the page, spreadsheet-friendly in the CSV files --------------------------


def _count(value: int) -> str:
    return f"{value:,}".replace(",", ".")


def _decimal(value: Decimal | None) -> str:
    return "—" if value is None else str(value).replace(".", ",")


def duration_text(value: timedelta | None) -> str:
    """ "2 d 3 h" from a day on, "5 h 10 min" below, rounded to the unit shown."""
    if value is None:
        return "—"
    seconds = value.total_seconds()
    minutes = int(seconds / 60 + 0.5)
    if minutes >= 24 * 60:
        days, hours = divmod(int(seconds / 3600 + 0.5), 24)
        return f"{_count(days)} d {hours} h"
    if minutes == 0:
        return "menos de 1 min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


def _local_time(value) -> str:
    return value.astimezone(timezone.get_default_timezone()).strftime("%d/%m/%Y %H:%M")


def _html_cell(column: Column, value) -> dict:
    kind = column.kind
    cell = {"text": value, "numeric": column.numeric, "url": None}
    if kind == "count":
        cell["text"] = _count(value)
    elif kind == "decimal":
        cell["text"] = _decimal(value)
    elif kind == "duration":
        cell["text"] = duration_text(value)
    elif kind == "share":
        count, percent = value
        cell["text"] = f"{_count(count)} ({_decimal(percent)} %)"
    elif kind == "ticket":
        cell["text"] = f"nº {value}"
        cell["url"] = reverse("desk:ticket", args=[value])
    elif kind == "datetime":
        cell["text"] = _local_time(value)
    return cell


# Excel runs a cell that starts with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _csv_cells(kind: str, value) -> list[str]:
    if kind == "share":
        count, percent = value
        return [str(count), _decimal(percent)]
    if kind == "decimal":
        return ["" if value is None else _decimal(value)]
    if kind == "duration":
        if value is None:
            return [""]
        hours = Decimal(value.total_seconds()) / 3600
        return [_decimal(hours.quantize(Decimal("0.01")))]
    if kind == "datetime":
        return [_local_time(value)]
    if kind == "text" and value.startswith(_FORMULA_START):
        return [f"'{value}"]
    return [str(value)]


def _csv_headers(table: Table) -> list[str]:
    headers = []
    for column in table.columns:
        if column.kind == "share":
            headers += [column.label, f"{column.label} (%)"]
        elif column.kind == "duration":
            headers.append(f"{column.label} (horas)")
        else:
            headers.append(column.label)
    return headers


def _html_row(table: Table, row: tuple) -> list[dict]:
    return [_html_cell(column, value) for column, value in zip(table.columns, row, strict=True)]


def _csv_row(table: Table, row: tuple) -> list[str]:
    cells = []
    for column, value in zip(table.columns, row, strict=True):
        cells += _csv_cells(column.kind, value)
    return cells


def _for_page(table: Table, query: str) -> dict:
    return {
        "table": table,
        "rows": [_html_row(table, row) for row in table.rows],
        "total": _html_row(table, table.total) if table.total else None,
        "csv_url": f"{reverse('desk:report_csv', args=[table.slug])}?{query}",
    }


# --- Views ----------------------------------------------------------------------------------


@supervisor_required
def reports(request):
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "desk/reports.html", {"form": form}, status=400)
    filters, query = form.filters(), form.query()
    page = Paginator(survey_comments(**filters), COMMENTS_PER_PAGE).get_page(
        request.GET.get("pagina")
    )
    comments = comments_table(page.object_list, start=filters["start"], end=filters["end"])
    context = {
        "form": form,
        "tables": [_for_page(TABLES[slug](**filters), query) for slug in PAGE_TABLES],
        "comments": _for_page(comments, query),
        "page": page,
        "query_prefix": f"{query}&",
    }
    return render(request, "desk/reports.html", context)


@supervisor_required
def report_csv(request, tabela: str):
    if tabela not in TABLES:
        raise Http404("Relatório não encontrado.")
    form = ReportFilterForm(request.GET)
    if not form.is_valid():
        return HttpResponse(
            "\n".join(form.error_messages()), status=400, content_type="text/plain; charset=utf-8"
        )
    filters = form.filters()
    table = TABLES[tabela](**filters)
    name = f"relatorio-{tabela}-{filters['start']:%Y-%m-%d}-{filters['end']:%Y-%m-%d}.csv"
    buffer = io.StringIO()
    buffer.write("\ufeff")  # the BOM: Excel reads the file as UTF-8 and keeps the accents
    writer = csv.writer(buffer, delimiter=";")  # Excel in pt-BR splits columns on ";"
    writer.writerow(_csv_headers(table))
    writer.writerows(_csv_row(table, row) for row in table.rows)
    if table.total:
        writer.writerow(_csv_row(table, table.total))
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"  # like attachments: gone after logout
    return response
