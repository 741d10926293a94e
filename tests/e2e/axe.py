"""axe-core (vendored in vendor/axe.min.js) run on a Playwright page, and its report."""

from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
FAILING_IMPACTS = {"serious", "critical"}

# Parts of the page that are not ours to fix, left out of the check (selector: reason).
EXCLUDE: dict[str, str] = {}

_RUN = """async ({tags, exclude}) => {
  const context = exclude.length
    ? {include: [document], exclude: exclude.map((selector) => [selector])}
    : document;
  const results = await axe.run(context, {
    runOnly: {type: "tag", values: tags},
    resultTypes: ["violations"],
  });
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    nodes: v.nodes.map((n) => ({target: n.target, failureSummary: n.failureSummary || ""})),
  }));
}"""


def run_axe(page, exclude: dict[str, str] | None = None) -> list[dict]:
    """Every violation axe finds on the page as it is now, whatever its impact."""
    # Evaluated through the DevTools protocol, so the page's CSP ('self' only) allows it.
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(AXE_SOURCE + "\n;undefined")
    selectors = list(EXCLUDE if exclude is None else exclude)
    return page.evaluate(_RUN, {"tags": TAGS, "exclude": selectors})


def failing(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in FAILING_IMPACTS]


def describe(violations: list[dict], where: str = "") -> str:
    """The full list, one block per rule: id, impact, help, then each node and why it fails."""
    lines = []
    for violation in violations:
        lines.append(
            f"{where}{violation['id']} [{violation['impact']}] {violation['help']}"
            f" ({violation['helpUrl']})"
        )
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = node["failureSummary"].replace("\n", "\n        ")
            lines.append(f"    - {target}\n        {summary}")
    return "\n".join(lines)
