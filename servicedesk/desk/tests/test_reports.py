"""The supervisors' reports /mesa/relatorios/: every number of every table against a data set
computed by hand, the CSV files, access, bad filters and the page's query count."""

import re
from datetime import date, datetime, timedelta
from decimal import Decimal
from html import unescape
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from servicedesk.accounts.tests.factories import UserFactory
from servicedesk.catalog.models import SupportGroup
from servicedesk.catalog.tests.factories import (
    ServiceFactory,
    SubjectFactory,
    SupportGroupFactory,
)
from servicedesk.desk import reports
from servicedesk.desk.decorators import REPORTS_ONLY
from servicedesk.desk.forms import DATE_INVALID, DATES_REVERSED, GROUP_INVALID
from servicedesk.desk.views.reports import DATE_OUT_OF_RANGE, duration_text
from servicedesk.surveys.models import Survey
from servicedesk.tickets.models import EntryKind, Ticket, TimelineEntry
from servicedesk.tickets.status import Status, WaitingOn
from servicedesk.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

REPORTS = reverse("desk:reports")
SP = ZoneInfo("America/Sao_Paulo")
PERIOD = {"de": "10/03/2025", "ate": "12/03/2025"}


def at(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    """A moment of 2025 in Brasília time (UTC-3)."""
    return datetime(2025, month, day, hour, minute, tzinfo=SP)


def csv_url(slug: str) -> str:
    return reverse("desk:report_csv", args=[slug])


def table(html: str, slug: str) -> list[list[str]]:
    """The rows (header, body, total) of one report table as lists of cell texts."""
    section = re.search(rf'id="relatorio-{slug}".*?</section>', html, re.S).group(0)
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", section, re.S):
        cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        rows.append([" ".join(unescape(re.sub(r"<[^>]+>", "", cell)).split()) for cell in cells])
    return rows


def field_errors(html: str) -> list[str]:
    return [
        " ".join(error.split())
        for error in re.findall(r'class="feedback danger"[^>]*>.*?</i>(.*?)</span>', html, re.S)
    ]


# --- The hand-computed data set ---------------------------------------------------------------
#
# Period 10/03/2025 to 12/03/2025. Times are Brasília's; T2 (opened 10/03 23:30), T4 (resolved
# 11/03 22:00) and T2's survey (12/03 23:50) fall on the next day in UTC, so a report that
# buckets or bounds days in UTC gets them wrong.
#
# ticket card    group  agent  opened      1st answer   resolved     status      survey
# T1     Orç.    Alfa   Ana    10/03 09:00 +1 h         11/03 09:00  resolved    5 "Excelente…"
# T2     Orç.    Alfa   Ana    10/03 23:30 +2 h         12/03 23:30  resolved    4 (no comment)
# T3     Emen.   Beta   Bruno  11/03 08:00 +30 min      —            assigned
# T4     Emen.   Beta   Bruno  11/03 14:00 +4 h         11/03 22:00  closed      2 "Demorou…"
# T5     Emen.   —      —      12/03 10:00 —            —            new
# T6     Orç.    Beta   —      09/03 10:00 +2 h         10/03 10:00  resolved    5 "=SOMA…"
# T7     Orç.    Alfa   Ana    13/03 00:00 —            —            waiting
# T8     Orç.    Alfa   —      12/03 12:00 +1 h         —            to_validate
# T9     Emen.   Beta   Bruno  01/03 09:00 +1 h         02/03 09:00  closed      1 on 05/03


@pytest.fixture
def logged(client, supervisor):
    client.force_login(supervisor)
    return client


@pytest.fixture
def data(db):
    alfa = SupportGroupFactory(name="Grupo Alfa")
    beta = SupportGroupFactory(name="Grupo Beta")
    budget = SubjectFactory(service=ServiceFactory(title="Orçamento"), support_group=alfa)
    amendments = SubjectFactory(service=ServiceFactory(title="Emendas"), support_group=beta)
    ana = UserFactory(full_name="Ana Alves")
    bruno = UserFactory(full_name="Bruno Braga")
    alfa.members.add(ana)
    beta.members.add(bruno)
    rows = {
        # name: subject, group, agent, status, opened, first answer, resolved
        "T1": (budget, alfa, ana, Status.RESOLVED, at(10, 9), at(10, 10), at(11, 9)),
        "T2": (budget, alfa, ana, Status.RESOLVED, at(10, 23, 30), at(11, 1, 30), at(12, 23, 30)),
        "T3": (amendments, beta, bruno, Status.ASSIGNED, at(11, 8), at(11, 8, 30), None),
        "T4": (amendments, beta, bruno, Status.CLOSED, at(11, 14), at(11, 18), at(11, 22)),
        "T5": (amendments, None, None, Status.NEW, at(12, 10), None, None),
        "T6": (budget, beta, None, Status.RESOLVED, at(9, 10), at(9, 12), at(10, 10)),
        "T7": (budget, alfa, ana, Status.WAITING, at(13, 0), None, None),
        "T8": (budget, alfa, None, Status.TO_VALIDATE, at(12, 12), at(12, 13), None),
        "T9": (amendments, beta, bruno, Status.CLOSED, at(1, 9), at(1, 10), at(2, 9)),
    }
    tickets = {}
    for name, (subject, group, agent, status, opened, answered, resolved) in rows.items():
        ticket = TicketFactory(
            subject=subject,
            assigned_group=group,
            assigned_agent=agent,
            status=status,
            waiting_on=WaitingOn.REQUESTER if status == Status.WAITING else "",
        )
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=opened,
            first_response_at=answered,
            resolved_at=resolved,
            closed_at=resolved + timedelta(days=1) if status == Status.CLOSED else None,
        )
        tickets[name] = ticket
    for name, stars, comment, answered_at in (
        ("T1", 5, "Excelente atendimento, obrigada!", at(11, 10)),
        ("T2", 4, "", at(12, 23, 50)),
        ("T4", 2, "Demorou; mas resolveu", at(12, 8)),
        ("T6", 5, "=SOMA(1;2) não é fórmula", at(10, 12)),
        ("T9", 1, "Fora do período", at(5, 9)),
    ):
        ticket = tickets[name]
        Survey.objects.create(
            ticket=ticket,
            requester=ticket.requester,
            stars=stars,
            comment=comment,
            answered_at=answered_at,
        )
    return {"alfa": alfa, "beta": beta, "ana": ana, "bruno": bruno, **tickets}


def page(client, **params) -> str:
    response = client.get(REPORTS, {**PERIOD, **params})
    assert response.status_code == 200
    return response.content.decode()


# --- 1 to 3. Opened and resolved --------------------------------------------------------------


def test_opened_and_resolved_per_day_in_brasilia_time(logged, data):
    assert table(page(logged), "abertos-resolvidos-por-periodo") == [
        ["Dia", "Abertos", "Resolvidos"],
        ["10/03/2025", "2", "1"],  # T1, T2 / T6
        ["11/03/2025", "2", "2"],  # T3, T4 / T1, T4
        ["12/03/2025", "2", "1"],  # T5, T8 / T2
        ["Total", "6", "4"],
    ]


def test_a_period_longer_than_31_days_is_shown_per_month(logged, data):
    html = page(logged, de="2025-01-01", ate="2025-03-31")
    assert table(html, "abertos-resolvidos-por-periodo") == [
        ["Mês", "Abertos", "Resolvidos"],
        ["janeiro de 2025", "0", "0"],
        ["fevereiro de 2025", "0", "0"],
        ["março de 2025", "9", "5"],  # every ticket / T1, T2, T4, T6, T9
        ["Total", "9", "5"],
    ]


def test_opened_and_resolved_per_card(logged, data):
    assert table(page(logged), "abertos-resolvidos-por-card") == [
        ["Card", "Abertos", "Resolvidos"],
        ["Emendas", "3", "1"],  # T3, T4, T5 / T4
        ["Orçamento", "3", "3"],  # T1, T2, T8 / T1, T2, T6
        ["Total", "6", "4"],
    ]


def test_opened_and_resolved_per_group_with_tickets_of_no_group_last(logged, data):
    assert table(page(logged), "abertos-resolvidos-por-grupo") == [
        ["Grupo", "Abertos", "Resolvidos"],
        ["Grupo Alfa", "3", "2"],  # T1, T2, T8 / T1, T2
        ["Grupo Beta", "2", "2"],  # T3, T4 / T4, T6
        ["Sem grupo", "1", "0"],  # T5
        ["Total", "6", "4"],
    ]


def test_the_group_filter_narrows_every_table(logged, data):
    html = page(logged, grupo=data["alfa"].pk)
    assert table(html, "abertos-resolvidos-por-periodo")[1:] == [
        ["10/03/2025", "2", "0"],
        ["11/03/2025", "0", "1"],
        ["12/03/2025", "1", "1"],
        ["Total", "3", "2"],
    ]
    assert table(html, "abertos-resolvidos-por-grupo")[1:] == [
        ["Grupo Alfa", "3", "2"],
        ["Total", "3", "2"],
    ]
    assert table(html, "backlog-por-status")[1:] == [
        ["Novo", "0"],
        ["Atribuído", "0"],
        ["Aguardando", "1"],  # T7
        ["Validar", "1"],  # T8
        ["Resolvido", "2"],  # T1, T2
        ["Total", "4"],
    ]
    assert table(html, "satisfacao-por-grupo")[1:] == [
        [
            "Grupo Alfa",
            "4,5",
            "2",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (50,0 %)",
            "1 (50,0 %)",
        ],
        [
            "Todas as respostas",
            "4,5",
            "2",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (50,0 %)",
            "1 (50,0 %)",
        ],
    ]


# --- 4. Backlog -------------------------------------------------------------------------------


def test_backlog_counts_every_ticket_not_closed_whatever_the_period(logged, data):
    assert table(page(logged), "backlog-por-status") == [
        ["Status", "Chamados"],
        ["Novo", "1"],  # T5
        ["Atribuído", "1"],  # T3
        ["Aguardando", "1"],  # T7, opened after the period
        ["Validar", "1"],  # T8
        ["Resolvido", "3"],  # T1, T2, T6
        ["Total", "7"],  # T4 and T9 are closed
    ]


# --- 5. Median times --------------------------------------------------------------------------


def test_median_times_overall_and_per_group(logged, data):
    # Opened in the period: T1, T2, T3, T4, T5, T8.
    # First answers: 30 min, 1 h, 1 h, 2 h, 4 h -> 1 h. Resolutions: 8 h, 24 h, 48 h -> 24 h.
    # Alfa: 1 h, 1 h, 2 h -> 1 h; 24 h, 48 h -> 36 h (the mean of the two middle values).
    # Beta: 30 min, 4 h -> 2 h 15 min; 8 h -> 8 h. No group: T5, never answered.
    assert table(page(logged), "tempos-medianos") == [
        [
            "Grupo",
            "Mediana até a primeira resposta",
            "Chamados respondidos",
            "Mediana até a resolução",
            "Chamados resolvidos",
        ],
        ["Grupo Alfa", "1 h 0 min", "3", "1 d 12 h", "2"],
        ["Grupo Beta", "2 h 15 min", "2", "8 h 0 min", "1"],
        ["Sem grupo", "—", "0", "—", "0"],
        ["Todos os chamados", "1 h 0 min", "5", "1 d 0 h", "3"],
    ]


def test_median_times_are_exact_durations(data):
    overall, per_group = reports.median_times(start=date(2025, 3, 10), end=date(2025, 3, 12))
    assert overall == reports.Times(
        "Todos os chamados", timedelta(hours=1), 5, timedelta(hours=24), 3
    )
    assert [(t.label, t.first_response, t.resolution) for t in per_group] == [
        ("Grupo Alfa", timedelta(hours=1), timedelta(hours=36)),
        ("Grupo Beta", timedelta(hours=2, minutes=15), timedelta(hours=8)),
        ("Sem grupo", None, None),
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, "—"),
        (timedelta(seconds=20), "menos de 1 min"),
        (timedelta(minutes=10), "10 min"),
        (timedelta(hours=5, minutes=10, seconds=29), "5 h 10 min"),
        (timedelta(hours=5, minutes=10, seconds=30), "5 h 11 min"),
        (timedelta(hours=23, minutes=59, seconds=40), "1 d 0 h"),
        (timedelta(days=2, hours=3, minutes=29), "2 d 3 h"),
        (timedelta(days=2, hours=3, minutes=30), "2 d 4 h"),
        (timedelta(days=1500), "1.500 d 0 h"),
    ],
)
def test_durations_read_as_days_and_hours_or_hours_and_minutes(value, text):
    assert duration_text(value) == text


# --- 6. Satisfaction --------------------------------------------------------------------------

STAR_HEADERS = ["1 estrela", "2 estrelas", "3 estrelas", "4 estrelas", "5 estrelas"]
# In the period: T1 5, T2 4, T4 2, T6 5 (T9's survey is older): 16 / 4 = 4,0.
ALL_ANSWERS = [
    "Todas as respostas",
    "4,0",
    "4",
    "0 (0,0 %)",
    "1 (25,0 %)",
    "0 (0,0 %)",
    "1 (25,0 %)",
    "2 (50,0 %)",
]


def test_satisfaction_per_card(logged, data):
    assert table(page(logged), "satisfacao-por-card") == [
        ["Card", "Média (1 a 5)", "Respostas", *STAR_HEADERS],
        ["Emendas", "2,0", "1", "0 (0,0 %)", "1 (100,0 %)", "0 (0,0 %)", "0 (0,0 %)", "0 (0,0 %)"],
        # 14 / 3 = 4,67
        [
            "Orçamento",
            "4,7",
            "3",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (33,3 %)",
            "2 (66,7 %)",
        ],
        ALL_ANSWERS,
    ]


def test_satisfaction_per_group(logged, data):
    assert table(page(logged), "satisfacao-por-grupo")[1:] == [
        [
            "Grupo Alfa",
            "4,5",
            "2",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (50,0 %)",
            "1 (50,0 %)",
        ],
        [
            "Grupo Beta",
            "3,5",
            "2",
            "0 (0,0 %)",
            "1 (50,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (50,0 %)",
        ],
        ALL_ANSWERS,
    ]


def test_satisfaction_per_agent_of_the_ticket(logged, data):
    assert table(page(logged), "satisfacao-por-tecnico") == [
        ["Técnico", "Média (1 a 5)", "Respostas", *STAR_HEADERS],
        [
            "Ana Alves",
            "4,5",
            "2",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (50,0 %)",
            "1 (50,0 %)",
        ],
        [
            "Bruno Braga",
            "2,0",
            "1",
            "0 (0,0 %)",
            "1 (100,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
        ],
        [
            "Sem técnico",
            "5,0",
            "1",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "0 (0,0 %)",
            "1 (100,0 %)",
        ],
        ALL_ANSWERS,
    ]


def test_averages_round_half_up_from_the_exact_distribution():
    assert reports.Satisfaction("x", (0, 0, 0, 3, 1)).average == Decimal("4.3")  # 4,25
    assert reports.Satisfaction("x", (1, 0, 0, 0, 0)).average == Decimal("1.0")
    assert reports.Satisfaction("x", (0, 0, 0, 0, 0)).average is None
    assert reports.Satisfaction("x", (1, 1, 1, 0, 0)).shares == (
        (1, Decimal("33.3")),
        (1, Decimal("33.3")),
        (1, Decimal("33.3")),
        (0, Decimal("0.0")),
        (0, Decimal("0.0")),
    )


def test_comments_most_recent_first_with_their_ticket_link(logged, data):
    html = page(logged)
    assert table(html, "comentarios") == [
        ["Chamado", "Respondida em", "Estrelas", "Card", "Técnico", "Comentário"],
        [
            f"nº {data['T4'].pk}",
            "12/03/2025 08:00",
            "2",
            "Emendas",
            "Bruno Braga",
            "Demorou; mas resolveu",
        ],
        [
            f"nº {data['T1'].pk}",
            "11/03/2025 10:00",
            "5",
            "Orçamento",
            "Ana Alves",
            "Excelente atendimento, obrigada!",
        ],
        [
            f"nº {data['T6'].pk}",
            "10/03/2025 12:00",
            "5",
            "Orçamento",
            "Sem técnico",
            "=SOMA(1;2) não é fórmula",
        ],
    ]
    assert f'href="{reverse("desk:ticket", args=[data["T4"].pk])}"' in html
    # Ticket numbers and dates read left to right; counts and averages are right-aligned.
    assert '<th scope="col">Respondida em</th>' in html
    assert '<th scope="col" class="portal-report-number">Estrelas</th>' in html


def test_comments_are_paginated_by_20_keeping_the_filters(logged, data):
    ticket = data["T3"]
    for index in range(20):
        other = TicketFactory(subject=ticket.subject, assigned_group=ticket.assigned_group)
        Survey.objects.create(
            ticket=other,
            requester=other.requester,
            stars=3,
            comment=f"Comentário {index}",
            answered_at=at(12, 20, index),
        )
    first = table(page(logged), "comentarios")
    assert len(first) == 21
    assert first[1][-1] == "Comentário 19"
    assert "Página 1 de 2" in page(logged)
    assert "?de=2025-03-10&amp;ate=2025-03-12&amp;pagina=2" in page(logged)
    second = table(page(logged, pagina=2), "comentarios")
    assert [row[-1] for row in second[1:]] == [
        "Demorou; mas resolveu",
        "Excelente atendimento, obrigada!",
        "=SOMA(1;2) não é fórmula",
    ]


# --- CSV --------------------------------------------------------------------------------------


def csv_lines(client, slug: str, **params) -> tuple[object, list[str]]:
    response = client.get(csv_url(slug), {**PERIOD, **params})
    assert response.status_code == 200
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    return response, body[1:].splitlines()


def test_csv_has_bom_semicolons_decimal_commas_and_a_pt_br_header(logged, data):
    response, lines = csv_lines(logged, "satisfacao-por-card")
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="relatorio-satisfacao-por-card-2025-03-10-2025-03-12.csv"'
    )
    assert lines == [
        "Card;Média (1 a 5);Respostas;1 estrela;1 estrela (%);2 estrelas;2 estrelas (%);"
        "3 estrelas;3 estrelas (%);4 estrelas;4 estrelas (%);5 estrelas;5 estrelas (%)",
        "Emendas;2,0;1;0;0,0;1;100,0;0;0,0;0;0,0;0;0,0",
        "Orçamento;4,7;3;0;0,0;0;0,0;0;0,0;1;33,3;2;66,7",
        "Todas as respostas;4,0;4;0;0,0;1;25,0;0;0,0;1;25,0;2;50,0",
    ]


def test_csv_of_each_table(logged, data):
    assert csv_lines(logged, "abertos-resolvidos-por-periodo")[1] == [
        "Dia;Abertos;Resolvidos",
        "10/03/2025;2;1",
        "11/03/2025;2;2",
        "12/03/2025;2;1",
        "Total;6;4",
    ]
    assert csv_lines(logged, "abertos-resolvidos-por-card")[1] == [
        "Card;Abertos;Resolvidos",
        "Emendas;3;1",
        "Orçamento;3;3",
        "Total;6;4",
    ]
    assert csv_lines(logged, "abertos-resolvidos-por-grupo")[1][-2:] == [
        "Sem grupo;1;0",
        "Total;6;4",
    ]
    assert csv_lines(logged, "backlog-por-status")[1] == [
        "Status;Chamados",
        "Novo;1",
        "Atribuído;1",
        "Aguardando;1",
        "Validar;1",
        "Resolvido;3",
        "Total;7",
    ]
    # Durations in hours, with a decimal comma, for the spreadsheet to compute with.
    assert csv_lines(logged, "tempos-medianos")[1] == [
        "Grupo;Mediana até a primeira resposta (horas);Chamados respondidos;"
        "Mediana até a resolução (horas);Chamados resolvidos",
        "Grupo Alfa;1,00;3;36,00;2",
        "Grupo Beta;2,25;2;8,00;1",
        "Sem grupo;;0;;0",
        "Todos os chamados;1,00;5;24,00;3",
    ]
    assert csv_lines(logged, "satisfacao-por-grupo")[1][1] == (
        "Grupo Alfa;4,5;2;0;0,0;0;0,0;0;0,0;1;50,0;1;50,0"
    )
    assert csv_lines(logged, "satisfacao-por-tecnico")[1][3] == (
        "Sem técnico;5,0;1;0;0,0;0;0,0;0;0,0;0;0,0;1;100,0"
    )


def test_csv_of_comments_lists_them_all_and_defuses_formulas(logged, data):
    _response, lines = csv_lines(logged, "comentarios")
    assert lines == [
        "Chamado;Respondida em;Estrelas;Card;Técnico;Comentário",
        f'{data["T4"].pk};12/03/2025 08:00;2;Emendas;Bruno Braga;"Demorou; mas resolveu"',
        f"{data['T1'].pk};11/03/2025 10:00;5;Orçamento;Ana Alves;Excelente atendimento, obrigada!",
        # Excel would run a cell starting with "=": it is kept as text.
        f'{data["T6"].pk};10/03/2025 12:00;5;Orçamento;Sem técnico;"\'=SOMA(1;2) não é fórmula"',
    ]


def test_every_table_on_the_page_links_to_its_csv_with_the_filters(logged, data):
    html = page(logged, grupo=data["beta"].pk)
    for slug in reports.TABLES:
        assert (
            f'href="{csv_url(slug)}?de=2025-03-10&amp;ate=2025-03-12&amp;grupo={data["beta"].pk}"'
            in html
        )


def test_unknown_csv_table_is_404(logged):
    assert logged.get(csv_url("senhas"), PERIOD).status_code == 404


def test_csv_with_bad_filters_is_400_with_the_message(logged):
    response = logged.get(csv_url("backlog-por-status"), {"de": "12/03/2025", "ate": "10/03/2025"})
    assert response.status_code == 400
    assert response.content.decode() == f"Até: {DATES_REVERSED}"


# --- Filters ----------------------------------------------------------------------------------


@time_machine.travel(datetime(2025, 3, 13, 1, 0, tzinfo=SP), tick=False)
def test_the_default_period_is_the_last_30_days_in_brasilia_time(logged, data):
    # 01:00 in Brasília on 13/03 is already 04:00 UTC; today is 13/03 here.
    html = page(logged, de="", ate="")
    assert 'value="12/02/2025"' in html
    assert 'value="13/03/2025"' in html
    rows = table(html, "abertos-resolvidos-por-periodo")
    assert len(rows) == 1 + 30 + 1
    assert rows[1][0] == "12/02/2025"
    assert rows[-2] == ["13/03/2025", "1", "0"]  # T7
    assert rows[-1] == ["Total", "9", "5"]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"de": "12/03/2025", "ate": "10/03/2025"}, "ate", DATES_REVERSED),
        ({"de": "31/02/2025"}, "de", DATE_INVALID),
        ({"ate": "amanhã"}, "ate", DATE_INVALID),
        ({"de": "01/01/0001"}, "de", DATE_OUT_OF_RANGE),
        ({"grupo": "999999"}, "grupo", GROUP_INVALID),
        ({"grupo": "abc"}, "grupo", GROUP_INVALID),
    ],
)
def test_bad_filters_are_400_with_the_message_on_the_field(logged, data, params, field, message):
    response = logged.get(REPORTS, {**PERIOD, **params})
    assert response.status_code == 400
    html = response.content.decode()
    assert field_errors(html) == [message]
    assert f'id="id_{field}_error1"' in html
    assert "relatorio-backlog-por-status" not in html


def test_iso_dates_are_accepted_and_shown_as_typed_in_brazil(logged, data):
    html = page(logged, de="2025-03-10", ate="2025-03-12")
    assert 'value="10/03/2025"' in html
    assert 'value="12/03/2025"' in html
    assert table(html, "abertos-resolvidos-por-periodo")[-1] == ["Total", "6", "4"]


# --- Access -----------------------------------------------------------------------------------


def test_supervisors_see_the_reports_and_the_links_to_them(logged):
    assert logged.get(REPORTS).status_code == 200
    html = logged.get(reverse("desk:queue")).content.decode()
    assert html.count(f'href="{REPORTS}"') == 2  # the menu and the desk


@pytest.mark.parametrize("url", [REPORTS, csv_url("backlog-por-status")])
def test_agents_who_are_not_supervisors_get_403(client, agent, url):
    client.force_login(agent)
    response = client.get(url)
    assert response.status_code == 403
    assert REPORTS_ONLY in response.content.decode()
    assert f'href="{REPORTS}"' not in client.get(reverse("desk:queue")).content.decode()


@pytest.mark.parametrize("url", [REPORTS, csv_url("backlog-por-status")])
def test_requesters_get_403(client, requester, url):
    client.force_login(requester)
    response = client.get(url)
    assert response.status_code == 403
    assert REPORTS_ONLY in response.content.decode()


def test_anonymous_users_are_sent_to_the_login(client):
    response = client.get(REPORTS)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# --- Query count ------------------------------------------------------------------------------


def bulk_data(count: int) -> None:
    """`count` tickets over 4 groups, 4 cards and 5 agents, half answered, a third resolved,
    a quarter with a survey and a comment, all in the period."""
    groups = [SupportGroupFactory(name=f"Grupo {n}") for n in range(4)]
    subjects = [SubjectFactory(support_group=group) for group in groups]
    agents = UserFactory.create_batch(5)
    requester = UserFactory()
    statuses = list(Status)
    tickets = Ticket.objects.bulk_create(
        Ticket(
            requester=requester,
            service_id=subjects[n % 4].service_id,
            subject=subjects[n % 4],
            assigned_group=groups[n % 4] if n % 7 else None,
            assigned_agent=agents[n % 5] if n % 3 else None,
            status=statuses[n % len(statuses)],
        )
        for n in range(count)
    )
    TimelineEntry.objects.bulk_create(
        TimelineEntry(ticket=ticket, kind=EntryKind.OPENED, actor=requester) for ticket in tickets
    )
    for n, ticket in enumerate(tickets):
        opened = at(10 + n % 3, 8, n % 60)
        Ticket.objects.filter(pk=ticket.pk).update(
            created_at=opened,
            first_response_at=opened + timedelta(minutes=n) if n % 2 else None,
            resolved_at=opened + timedelta(minutes=n) if n % 3 == 0 else None,
        )
    Survey.objects.bulk_create(
        Survey(
            ticket=ticket,
            requester=requester,
            stars=1 + n % 5,
            comment=f"Comentário {n}",
            answered_at=at(12, 9),
        )
        for n, ticket in enumerate(tickets)
        if n % 4 == 0
    )


# session, user, the group options, 2 per-period, card, group, backlog, 2 median times,
# 3 satisfaction tables, and the comments' count and page.
QUERIES = 15


@pytest.mark.parametrize("count", [30, 300])
def test_the_page_runs_a_fixed_number_of_queries(logged, django_assert_num_queries, count):
    bulk_data(count)
    with django_assert_num_queries(QUERIES):
        html = page(logged)
    resolved = (count + 2) // 3
    assert table(html, "abertos-resolvidos-por-periodo")[-1] == ["Total", str(count), str(resolved)]
    assert len(table(html, "comentarios")) == 1 + min(20, (count + 3) // 4)


def test_a_filtered_page_adds_only_the_chosen_group(logged, django_assert_num_queries):
    bulk_data(300)
    group = SupportGroup.objects.get(name="Grupo 0")  # the one with surveys
    with django_assert_num_queries(QUERIES + 1):
        page(logged, grupo=group.pk)


def test_each_csv_runs_one_or_two_queries_besides_the_session(logged, django_assert_num_queries):
    bulk_data(300)
    two = {"abertos-resolvidos-por-periodo", "tempos-medianos"}
    for slug in reports.TABLES:
        # session and user, then the table's queries
        with django_assert_num_queries(2 + (2 if slug in two else 1)):
            logged.get(csv_url(slug), PERIOD)


# --- Resolved tickets that then close ---------------------------------------------------------


def test_resolved_tickets_stay_resolved_in_the_reports_however_they_close(logged, supervisor):
    """Issue 14, item 4: one resolved ticket closed by a supervisor ("Fechar chamado"), one
    closed by the periodic job after PORTAL_REOPEN_DAYS, one left resolved. All three were
    resolved on 11/03 and count so, with their resolution times, in every table."""
    from servicedesk.tickets.services.automation import automatic_transitions_run
    from servicedesk.tickets.services.solutions import solution_approve, solution_propose
    from servicedesk.tickets.services.timeline import ticket_close

    group = SupportGroupFactory(name="Grupo Gama")
    subject = SubjectFactory(service=ServiceFactory(title="Orçamento"), support_group=group)
    agent = UserFactory(full_name="Gil Gomes")
    group.members.add(agent)
    tickets = []
    for hours in (2, 4, 6):  # resolved 2, 4 and 6 hours after opening
        with time_machine.travel(at(11, 8), tick=False):
            ticket = TicketFactory(subject=subject, status=Status.ASSIGNED, assigned_agent=agent)
        with time_machine.travel(at(11, 9), tick=False):
            solution_propose(actor=agent, ticket=ticket, body="Feito.", body_format="text")
        with time_machine.travel(at(11, 8 + hours), tick=False):
            solution_approve(actor=ticket.requester, ticket=ticket)
        tickets.append(ticket)
    closed_by_hand = tickets[0]
    with time_machine.travel(at(12, 9), tick=False):
        ticket_close(actor=supervisor, ticket=closed_by_hand, reason="Conferido.")
    # Ten days after 11/03 12:00 and 14:00, but not yet after 11/03 14:00 for the third.
    automatic_transitions_run(now=at(21, 13))
    statuses = [Ticket.objects.get(pk=ticket.pk).status for ticket in tickets]
    assert statuses == [Status.CLOSED, Status.CLOSED, Status.RESOLVED]

    html = page(logged, de="11/03/2025", ate="21/03/2025")
    assert table(html, "abertos-resolvidos-por-periodo")[1:2] == [["11/03/2025", "3", "3"]]
    assert table(html, "abertos-resolvidos-por-periodo")[-1] == ["Total", "3", "3"]
    assert table(html, "abertos-resolvidos-por-grupo")[1:] == [
        ["Grupo Gama", "3", "3"],
        ["Total", "3", "3"],
    ]
    # Resolution times 2 h, 4 h and 6 h: the median is 4 h, of 3 resolved tickets.
    assert table(html, "tempos-medianos")[1:] == [
        ["Grupo Gama", "1 h 0 min", "3", "4 h 0 min", "3"],
        ["Todos os chamados", "1 h 0 min", "3", "4 h 0 min", "3"],
    ]
    overall, _ = reports.median_times(start=date(2025, 3, 11), end=date(2025, 3, 21))
    assert (overall.resolution, overall.resolution_count) == (timedelta(hours=4), 3)
