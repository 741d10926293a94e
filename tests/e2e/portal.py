"""What the browser tests do on the portal's pages, written once: log in, read counters, write."""

import re

from playwright.sync_api import Page, expect

REQUESTER = ("529.982.247-25", "demo-requerente")
SECOND_REQUESTER = ("111.444.777-35", "demo-requerente2")
AGENT = ("390.533.447-05", "demo-tecnico")
SUPERVISOR = ("987.654.321-00", "demo-supervisor")

CARD_TITLE = "SIOP Emendas Parlamentares"
CARD_URL = "/servicos/siop-emendas-parlamentares/"
SUBJECT = "Erro ao cadastrar ou alterar emenda"
HOME_URL = re.compile(r"^https?://[^/]+/(\?.*)?$")
# Requesters land on the home page after logging in, agents and supervisors on the desk.
LANDING_URL = re.compile(r"^https?://[^/]+/(mesa/)?(\?.*)?$")
TICKET_URL = re.compile(r"/chamados/(\d+)/$")


def login(page: Page, account: tuple[str, str]) -> None:
    """Log in on /entrar/, typing the CPF formatted (dots and hyphen) as people do."""
    cpf, password = account
    page.goto("/entrar/")
    page.get_by_label("CPF").press_sequentially(cpf)
    page.get_by_label("Senha").fill(password)
    page.get_by_role("button", name="Entrar", exact=True).click()
    page.wait_for_url(LANDING_URL)


def counters(page: Page) -> dict[str, int]:
    """The "Meus chamados" counters of the home page: {"Todos": 3, "Novo": 1, ...}."""
    page.goto("/")
    return read_counters(page, ".portal-counters")


def desk_counts(page: Page) -> dict[str, int]:
    """The desk's queues with their counts."""
    page.goto("/mesa/")
    return read_counters(page, ".portal-desk-tabs")


def read_counters(page: Page, selector: str) -> dict[str, int]:
    result = {}
    for link in page.locator(f"{selector} a").all():
        label = link.locator(".portal-counter-label").inner_text().strip()
        result[label] = int(link.locator(".portal-counter-number").inner_text().strip())
    return result


def status(page: Page) -> str:
    return page.locator(".portal-ticket-header .portal-status").inner_text().strip()


def expect_status(page: Page, label: str) -> None:
    expect(page.locator(".portal-ticket-header .portal-status")).to_contain_text(label)


def choose_subject(page: Page, subject: str = SUBJECT) -> None:
    page.locator("#lista-assuntos").get_by_role("link", name=subject).click()
    expect(page.locator("#formulario-chamado")).to_be_visible()


def fill_subject_form(page: Page, description: str) -> None:
    """The required answers of "Erro ao cadastrar ou alterar emenda", "Outro" moment included."""
    form = page.locator("#formulario-chamado")
    form.get_by_label("Número da emenda").fill("20260001")
    # The DS draws radios on their labels: people click the label.
    form.locator("label", has_text="Individual (RP6)").click()
    expect(form.get_by_label("Individual (RP6)")).to_be_checked()
    other_moment = form.get_by_label("Descreva em que momento o erro ocorre")
    expect(other_moment).to_be_hidden()
    form.locator("label").filter(has_text=re.compile(r"^Outro$")).click()
    expect(other_moment).to_be_visible()
    other_moment.fill("Ao salvar o beneficiário pela segunda vez.")
    form.get_by_label("Descreva sua solicitação").fill(description)


def open_ticket(page: Page, description: str = "O SIOP mostra erro 500 ao salvar.") -> int:
    """Open a ticket from the demo card without attachments; returns its number."""
    page.goto(CARD_URL)
    choose_subject(page)
    fill_subject_form(page, description)
    page.locator("#formulario-chamado").get_by_role("button", name="Enviar").click()
    page.wait_for_url(TICKET_URL)
    return ticket_number(page)


def ticket_number(page: Page) -> int:
    return int(TICKET_URL.search(page.url).group(1))


def write_rich_text(page: Page, scope, text: str) -> None:
    """Type plain text into the Quill editor inside `scope` (a locator)."""
    scope.locator(".ql-editor").click()
    page.keyboard.type(text)


def desk_action(page: Page, title: str, text: str | None = None) -> None:
    """Open one of the desk's actions (a <details>), write its text and send it."""
    page.locator("summary", has_text=title).click()
    box = page.locator("details.portal-desk-action[open]")
    if text is not None:
        write_rich_text(page, box, text)
    box.get_by_role("button", name=title).click()
