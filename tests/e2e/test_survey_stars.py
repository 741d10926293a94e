"""The survey's stars (issue 14): choosing N shows stars 1 to N filled, by pointer and by
keyboard, with a preview while pointing; what screen readers announce does not change."""

import pytest
from playwright.sync_api import expect

from .conftest import DESKTOP, ConsoleWatcher
from .portal import AGENT, SECOND_REQUESTER, desk_action, expect_status, login, open_ticket

FILLED = "rgb(178, 107, 0)"  # #b26b00, portal.css


@pytest.fixture(scope="module")
def resolved(browser, live_url) -> int:
    """A ticket of the second requester, resolved: its page offers the survey."""
    console = ConsoleWatcher()
    contexts = [browser.new_context(base_url=live_url, viewport=DESKTOP) for _ in range(2)]
    requester, agent = (context.new_page() for context in contexts)
    console.watch(requester, "requerente 2")
    console.watch(agent, "técnico")
    login(requester, SECOND_REQUESTER)
    login(agent, AGENT)
    number = open_ticket(requester, "Chamado para a avaliação com estrelas.")
    agent.goto(f"/mesa/chamados/{number}/")
    agent.get_by_role("button", name="Atribuir a mim").click()
    expect_status(agent, "Atribuído")
    desk_action(agent, "Propor solução", "Solução para avaliar.")
    expect_status(agent, "Validar")
    requester.goto(f"/chamados/{number}/")
    requester.locator("summary", has_text="Aprovar").click()
    requester.get_by_role("button", name="Sim, o problema foi resolvido").click()
    expect_status(requester, "Resolvido")
    for context in contexts:
        context.close()
    console.check()
    return number


def filled(page) -> list[bool]:
    colors = page.locator(".portal-star").evaluate_all(
        "stars => stars.map((star) => getComputedStyle(star).color)"
    )
    return [color == FILLED for color in colors]


def spoken(page) -> list[str]:
    """Each radio's accessible name, as a screen reader announces it."""
    return [
        radio.evaluate("r => r.labels[0].textContent.trim()")
        for radio in page.locator("input[name=stars]").all()
    ]


def star(page, value: int):
    radio = page.locator(f"input[name=stars][value='{value}']")
    return page.locator(f"label[for='{radio.get_attribute('id')}']")


def test_choosing_n_stars_fills_one_to_n_by_pointer_and_keyboard(new_page, resolved):
    page = new_page("requerente 2 (estrelas)")
    login(page, SECOND_REQUESTER)
    page.goto(f"/chamados/{resolved}/")
    names = spoken(page)
    assert len(names) == 5
    assert filled(page) == [False] * 5

    star(page, 4).click()
    page.mouse.move(0, 0)
    expect(page.locator("input[name=stars][value='4']")).to_be_checked()
    assert filled(page) == [True, True, True, True, False]

    # Pointing previews; leaving shows the choice again.
    star(page, 5).hover()
    assert filled(page) == [True] * 5
    star(page, 2).hover()
    assert filled(page) == [True, True, False, False, False]
    page.mouse.move(0, 0)
    assert filled(page) == [True, True, True, True, False]

    # The keyboard: arrows move the choice within the radio group.
    page.locator("input[name=stars][value='4']").focus()
    page.keyboard.press("ArrowLeft")
    expect(page.locator("input[name=stars][value='3']")).to_be_checked()
    assert filled(page) == [True, True, True, False, False]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(page.locator("input[name=stars][value='5']")).to_be_checked()
    assert filled(page) == [True] * 5

    assert spoken(page) == names
