"""The browser tests' watcher must be able to fail (issue 14): a Content-Security-Policy
violation on a page of the portal is reported as an error of the test."""

from playwright.sync_api import expect


def test_a_csp_violation_on_a_page_is_reported(new_page, console):
    page = new_page("vigia")
    page.goto("/entrar/")
    # What a script of a vendored library might do: an inline style and an inline script,
    # both outside the portal's policy ('self' only).
    page.evaluate("document.body.setAttribute('style', 'outline: 1px solid red')")
    page.evaluate(
        "const s = document.createElement('script');"
        "s.textContent = 'window.inlineRan = true'; document.body.appendChild(s)"
    )
    expect(page.locator("body")).to_be_visible()
    page.wait_for_timeout(200)
    reported = [error for error in console.errors if "CSP violation" in error]
    assert any("style-src-attr" in error for error in reported), console.errors
    assert any("script-src-elem" in error for error in reported), console.errors
    assert page.evaluate("window.inlineRan === undefined")
    console.errors.clear()  # expected here: the fixture's own check must pass
