"""On a phone (390 px wide, issue 14): every category tab is on the screen, and Meus
chamados and the desk's queue are lists of cards that never scroll sideways."""

import re

from playwright.sync_api import expect

from .conftest import MOBILE
from .portal import AGENT, SECOND_REQUESTER, login, open_ticket


def outside_the_screen(page, selector: str) -> list[str]:
    """The elements matching `selector` that do not fit the viewport's width."""
    return page.locator(selector).evaluate_all(
        """(elements) => elements
            .filter((e) => { const box = e.getBoundingClientRect();
                             return box.left < 0 || box.right > window.innerWidth; })
            .map((e) => e.textContent.trim())"""
    )


def assert_rows_are_cards(page) -> None:
    table = page.locator(".portal-data-table").first
    expect(table.locator("tbody tr").first).to_be_visible()
    # Nothing to scroll sideways, on the page or inside the table's box.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert table.evaluate("(box) => box.scrollWidth <= box.clientWidth"), "the table scrolls"
    cells = ".portal-data-table tbody td, .portal-data-table tbody th"
    assert outside_the_screen(page, cells) == []
    row = table.locator("tbody tr").first
    assert row.evaluate("(tr) => getComputedStyle(tr).display") == "block"
    # Each value is shown with its column's label.
    shown = row.locator("td, th").evaluate_all(
        "(cells) => cells.map((cell) => getComputedStyle(cell, '::before').content)"
    )
    headers = table.locator("thead th").evaluate_all(
        "(ths) => ths.map((th) => th.textContent.trim())"
    )
    assert [re.sub(r'^"|" / ""$', "", label) for label in shown] == headers


def test_on_a_phone_every_tab_shows_and_the_lists_are_cards(new_page, artifacts):
    requester = new_page("requerente 2 (celular)", viewport=MOBILE)
    login(requester, SECOND_REQUESTER)
    open_ticket(requester, "Chamado aberto pelo celular.")
    requester.goto("/")
    tabs = requester.locator(".portal-tabs .tab-item")
    assert tabs.count() >= 3
    assert outside_the_screen(requester, ".portal-tabs .tab-item") == []
    requester.locator(".portal-tabs").screenshot(path=artifacts / "phone-tabs.png")

    requester.goto("/chamados/")
    assert_rows_are_cards(requester)
    requester.screenshot(path=artifacts / "phone-my-tickets.png", full_page=True)

    agent = new_page("técnico (celular)", viewport=MOBILE)
    login(agent, AGENT)
    agent.goto("/mesa/?fila=todos")
    assert_rows_are_cards(agent)
    # The sort links stay, as a line of buttons above the cards.
    expect(agent.get_by_role("link", name=re.compile(r"^Aberto em"))).to_be_visible()
    agent.screenshot(path=artifacts / "phone-desk-queue.png", full_page=True)
