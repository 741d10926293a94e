"""The whole life of a ticket, as its requester and an agent see it in two browsers."""

import base64
import re

import pytest
from playwright.sync_api import expect

from .conftest import png_bytes
from .portal import (
    AGENT,
    CARD_TITLE,
    REQUESTER,
    TICKET_URL,
    choose_subject,
    counters,
    desk_action,
    desk_counts,
    expect_status,
    fill_subject_form,
    login,
    ticket_number,
    write_rich_text,
)

# Filled by the journey, read by the survey step that follows it.
JOURNEY: dict = {}

PASTE_IMAGE = """([selector, b64]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const file = new File([bytes], "captura.png", {type: "image/png"});
  const data = new DataTransfer();
  data.items.add(file);
  const event = new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true});
  document.querySelector(selector).dispatchEvent(event);
}"""


def shoot(page, artifacts, name: str) -> None:
    """A full-page screenshot of a main screen (copied by hand to docs/screenshots/)."""
    path = artifacts / f"{name}.png"
    page.screenshot(path=path, full_page=True)
    assert path.stat().st_size < 300_000, f"{path} is too big for the README"


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    """The counters that moved, and by how much."""
    return {label: after[label] - before[label] for label in after if after[label] != before[label]}


def test_requester_and_agent_take_a_ticket_from_opening_to_approval(
    new_page, console, sample_files, artifacts
):
    requester = new_page("requerente")
    agent = new_page("técnico")

    # --- The requester opens a ticket ---------------------------------------------------------
    login(requester, REQUESTER)
    start = counters(requester)
    requester.get_by_role("link", name=CARD_TITLE).first.click()
    expect(requester.get_by_role("heading", level=1)).to_have_text(CARD_TITLE)
    choose_subject(requester)
    fill_subject_form(requester, "O SIOP mostra erro 500 ao salvar a emenda 20260001.")

    form = requester.locator("#formulario-chamado")
    form.locator("input[type=file]").set_input_files(sample_files)
    file_list = form.locator(".portal-file-list")
    expect(file_list).to_contain_text("oficio.pdf")
    expect(file_list).to_contain_text("tela.png")
    shoot(requester, artifacts, "card-form")

    # A slow uplink, so the progress bar has something to show between 0 and 100 %.
    cdp = requester.context.new_cdp_session(requester)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": 1_500_000},
    )
    form.get_by_role("button", name="Enviar").click()
    expect(form.locator(".portal-upload-progress")).to_be_visible()
    # The bar moves: caught part-way, neither empty nor full, with its percentage written.
    requester.wait_for_function(
        """() => {
          const bar = document.querySelector("#formulario-chamado progress");
          const text = document.querySelector("#formulario-chamado .portal-upload-percent");
          return bar && bar.value > 0 && bar.value < 100 && text.textContent === bar.value + "%";
        }""",
        polling="raf",
    )
    requester.wait_for_url(TICKET_URL, timeout=20_000)
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    cdp.detach()
    number = ticket_number(requester)
    JOURNEY["number"] = number
    expect_status(requester, "Novo")
    opening = requester.locator(".portal-timeline > *").first
    for text in ("20260001", "Outro", "Ao salvar o beneficiário", "oficio.pdf", "tela.png"):
        expect(opening).to_contain_text(text)
    # How long ago, written by the page's script before the date and time the server sent.
    expect(opening.locator("time").first).to_have_text(
        re.compile(r"^(agora|há 1 minuto) · \d\d/\d\d/\d{4} \d\d:\d\d$")
    )
    assert changed(start, counters(requester)) == {"Todos": 1, "Novo": 1}

    # --- The agent takes it and asks for information --------------------------------------
    login(agent, AGENT)
    desk_start = desk_counts(agent)  # the new ticket waits in "Sem atribuição"
    expect(agent.get_by_role("link", name=re.compile(rf"\b{number}\b")).first).to_be_visible()
    shoot(agent, artifacts, "desk-queue")
    agent.goto(f"/mesa/chamados/{number}/")
    agent.get_by_role("button", name="Atribuir a mim").click()
    expect_status(agent, "Atribuído")
    desk_action(agent, "Pedir informação", "Qual é o órgão da emenda?")
    expect_status(agent, "Aguardando")

    assert changed(start, counters(requester)) == {"Todos": 1, "Aguardando": 1}
    requester.goto(f"/chamados/{number}/")
    expect_status(requester, "Aguardando")
    expect(requester.locator(".portal-timeline")).to_contain_text("Qual é o órgão da emenda?")

    # --- The requester replies: bold text, a link and a pasted image ----------------------
    requester.locator("summary", has_text="Responder").click()
    reply = requester.locator(".portal-reply-box")
    reply.locator(".ql-editor").click()
    requester.keyboard.press("Control+b")
    requester.keyboard.type("Ministério da Saúde")
    requester.keyboard.press("Control+b")
    requester.keyboard.type(". Veja o ")
    link_text = "manual do SIOP"
    requester.keyboard.type(link_text)
    for _ in link_text:
        requester.keyboard.press("Shift+ArrowLeft")
    reply.locator("button.ql-link").click()
    link_input = requester.get_by_label("Endereço do link")
    link_input.fill("https://www.siop.planejamento.gov.br/manual")
    link_input.press("Enter")
    requester.keyboard.press("End")
    requester.keyboard.type(" e a tela: ")
    requester.evaluate(
        PASTE_IMAGE,
        [".portal-reply-box .ql-editor", base64.b64encode(png_bytes(64, 32)).decode()],
    )
    expect(reply.locator(f".ql-editor img[src*='/chamados/{number}/anexos/']")).to_have_count(1)
    reply.get_by_role("button", name="Adicionar").click()
    expect_status(requester, "Atribuído")
    message = requester.locator(".portal-message-body", has_text="Ministério da Saúde").last
    expect(message.locator("strong")).to_have_text("Ministério da Saúde")
    expect(message.get_by_role("link", name=link_text)).to_have_attribute(
        "href", "https://www.siop.planejamento.gov.br/manual"
    )
    image = message.locator(f"img[src*='/chamados/{number}/anexos/']")
    expect(image).to_have_count(1)
    assert image.evaluate("img => img.complete && img.naturalWidth") == 64

    # --- The agent proposes a solution; the requester refuses it ---------------------------
    agent.reload()
    expect(agent.locator(".portal-timeline")).to_contain_text("Ministério da Saúde")
    desk_action(agent, "Propor solução", "Perfil do órgão ajustado; tente de novo.")
    expect_status(agent, "Validar")

    assert changed(start, counters(requester)) == {"Todos": 1, "Validar": 1}
    requester.goto(f"/chamados/{number}/")
    expect_status(requester, "Validar")
    expect(requester.locator(".portal-solution-pending")).to_have_count(1)
    shoot(requester, artifacts, "ticket-pending-solution")

    requester.locator("summary", has_text="Recusar").click()
    refuse = requester.locator("details.portal-decision[open] form")
    refuse.get_by_role("button", name="Recusar a solução").click()
    comment = refuse.locator("textarea")
    assert comment.evaluate("field => field.validationMessage") == (
        "Explique por que a solução não resolveu o seu problema."
    )
    expect_status(requester, "Validar")
    comment.fill("Ainda aparece o erro 500 ao salvar.")
    refuse.get_by_role("button", name="Recusar a solução").click()
    expect_status(requester, "Atribuído")
    expect(requester.locator(".portal-solution-refused")).to_have_count(1)

    # --- A second solution, with an image the agent pastes (the desk's own upload path) ---
    agent.reload()
    agent.locator("summary", has_text="Propor solução").click()
    box = agent.locator("details.portal-desk-action[open]")
    write_rich_text(agent, box, "Cache do SIOP limpo; a emenda já pode ser salva. Tela: ")
    with agent.expect_response(f"**/mesa/chamados/{number}/imagens/") as upload:
        agent.evaluate(
            PASTE_IMAGE,
            [
                "details.portal-desk-action[open] .ql-editor",
                base64.b64encode(png_bytes(48, 24)).decode(),
            ],
        )
    assert upload.value.status == 201
    expect(box.locator(f".ql-editor img[src*='/chamados/{number}/anexos/']")).to_have_count(1)
    box.get_by_role("button", name="Propor solução").click()
    expect_status(agent, "Validar")
    requester.reload()
    solution_image = requester.locator(
        f".portal-solution-pending img[src*='/chamados/{number}/anexos/']"
    )
    expect(solution_image).to_have_count(1)
    assert solution_image.evaluate("img => img.complete && img.naturalWidth") == 48
    requester.locator("summary", has_text="Aprovar").click()
    requester.get_by_role("button", name="Sim, o problema foi resolvido").click()
    expect_status(requester, "Resolvido")
    expect(requester.locator(".portal-solution-approved")).to_have_count(1)
    expect(requester.locator(".portal-solution-refused")).to_have_count(1)

    # --- Both see the final state ---------------------------------------------------------
    agent.reload()
    expect_status(agent, "Resolvido")
    assert changed(start, counters(requester)) == {"Todos": 1, "Resolvido": 1}
    shoot(requester, artifacts, "home")
    requester.goto("/chamados/")
    row = requester.locator("tr", has=requester.get_by_role("link", name=f"nº {number}"))
    expect(row).to_contain_text("Resolvido")
    shoot(requester, artifacts, "my-tickets")
    # Taken and finished: it left the unassigned queue, and the desk still counts it.
    desk_end = desk_counts(agent)
    assert desk_end["Sem atribuição"] == desk_start["Sem atribuição"] - 1
    assert desk_end["Todos"] == desk_start["Todos"]
    JOURNEY["requester_state"] = requester.context.storage_state()


def test_requester_rates_the_solution_with_five_stars(new_page):
    """After approving, the satisfaction survey: 5 stars (runs once the survey exists)."""
    if "requester_state" not in JOURNEY:
        pytest.skip("the journey above did not reach the approval")
    requester = new_page("requerente", storage_state=JOURNEY["requester_state"])
    requester.goto(f"/chamados/{JOURNEY['number']}/")
    stars = requester.locator("input[name=stars]")
    if stars.count() == 0:
        pytest.skip("survey not built yet")
    # The DS hides the native radio behind its label, as on every form of the portal.
    five = requester.locator("input[name=stars][value='5']")
    requester.locator(f"label[for='{five.get_attribute('id')}']").click()
    expect(five).to_be_checked()
    survey = requester.locator("form", has=stars.first)
    survey.locator("button[type=submit]").click()
    requester.wait_for_load_state("networkidle")
    requester.reload()
    # Recorded: either shown as text or kept in a form that may still be changed.
    recorded = requester.locator("input[name=stars][value='5']:checked").or_(
        requester.get_by_text(re.compile(r"5 estrelas"))
    )
    expect(recorded).not_to_have_count(0)
