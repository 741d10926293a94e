"""The requester's journey with the keyboard only: every control reachable, focus always shown."""

import re

import pytest
from playwright.sync_api import expect

from .keyboard import Keyboard
from .portal import AGENT, HOME_URL, SECOND_REQUESTER, TICKET_URL, desk_action, expect_status, login

KEYBOARD: dict = {}


def test_requester_opens_a_ticket_and_replies_with_the_keyboard_only(new_page):
    page = new_page("requerente 2 (teclado)")
    keys = Keyboard(page)
    cpf, password = SECOND_REQUESTER

    page.goto("/entrar/")
    keys.tab_to_id("id_cpf")
    keys.type(cpf)
    keys.tab_to_id("id_password")
    keys.type(password)
    keys.tab_to(lambda stop: stop.tag == "button" and stop.name == "Entrar")
    keys.press("Enter")
    page.wait_for_url(HOME_URL)

    keys.tab_to_name("SIOP Emendas Parlamentares")
    keys.press("Enter")
    page.wait_for_url(re.compile(r"/servicos/siop-emendas-parlamentares/$"))
    keys.tab_to_name("Erro ao cadastrar ou alterar emenda")
    keys.press("Enter")
    # The form comes in without a page load and takes keyboard users to its heading; typing
    # before that would land in the field the focus is about to leave.
    expect(page.locator("#formulario-chamado")).to_be_visible()
    expect(page.locator("#titulo-dados")).to_be_focused()

    keys.tab_to(lambda stop: stop.name.startswith("Número da emenda"))
    keys.type("20260002")
    keys.tab_to(lambda stop: stop.type == "radio" and stop.name == "Individual (RP6)")
    keys.press("Space")
    expect(page.get_by_label("Individual (RP6)")).to_be_checked()
    keys.tab_to(lambda stop: stop.type == "radio" and stop.name == "Cadastro da emenda")
    keys.press("Space")
    expect(page.get_by_label("Cadastro da emenda")).to_be_checked()
    keys.tab_to(lambda stop: stop.name.startswith("Descreva sua solicitação"))
    keys.type("Aberto só com o teclado.")
    keys.tab_to(lambda stop: stop.tag == "button" and "Enviar" in stop.name)
    keys.press("Enter")
    page.wait_for_url(TICKET_URL)
    expect_status(page, "Novo")
    number = int(TICKET_URL.search(page.url).group(1))

    # Back to it the way people come back: "Meus chamados", then the ticket.
    page.goto("/chamados/")
    keys.tab_to_name(f"nº {number}")
    keys.press("Enter")
    page.wait_for_url(re.compile(rf"/chamados/{number}/$"))

    keys.tab_to(lambda stop: stop.tag == "summary" and "Responder" in stop.name)
    keys.press("Enter")
    keys.tab_to(lambda stop: "ql-editor" in stop.classes)
    keys.type("Resposta escrita só com o teclado.")
    keys.tab_to(lambda stop: stop.tag == "button" and "Adicionar" in stop.name)
    keys.press("Enter")
    expect(page.locator(".portal-message-body").last).to_contain_text(
        "Resposta escrita só com o teclado."
    )
    KEYBOARD.update(number=number, state=page.context.storage_state())


def test_requester_approves_and_rates_with_the_keyboard_only(new_page):
    """Approving and the star rating with Tab/Enter/Space (runs once the survey exists)."""
    if "number" not in KEYBOARD:
        pytest.skip("the keyboard journey above did not finish")
    number = KEYBOARD["number"]
    agent = new_page("técnico")
    login(agent, AGENT)
    agent.goto(f"/mesa/chamados/{number}/")
    agent.get_by_role("button", name="Atribuir a mim").click()
    expect_status(agent, "Atribuído")
    desk_action(agent, "Propor solução", "Resolvido.")
    expect_status(agent, "Validar")

    page = new_page("requerente 2 (teclado)", storage_state=KEYBOARD["state"])
    keys = Keyboard(page)
    page.goto(f"/chamados/{number}/")
    keys.tab_to(lambda stop: stop.tag == "summary" and "Aprovar" in stop.name)
    keys.press("Enter")
    keys.tab_to(lambda stop: stop.tag == "button" and "problema foi resolvido" in stop.name)
    keys.press("Enter")
    expect_status(page, "Resolvido")

    if page.locator("input[name=stars]").count() == 0:
        pytest.skip("survey not built yet")
    page.goto(f"/chamados/{number}/")
    # Tab enters the group on its first star; Space chooses it.
    star = keys.tab_to(lambda stop: stop.type == "radio" and stop.id.startswith("id_stars"))
    keys.press("Space")
    expect(page.locator(f"#{star.id}")).to_be_checked()
    keys.tab_to(lambda stop: stop.tag == "button" and "avaliação" in stop.name)
    keys.press("Enter")
    page.wait_for_load_state("networkidle")
    page.reload()
    recorded = page.locator(f"#{star.id}:checked").or_(page.get_by_text(re.compile(r"1 estrela")))
    expect(recorded).not_to_have_count(0)
