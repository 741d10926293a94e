"""Moving through a page with the keyboard only, checking each stop is visible and shows focus."""

from dataclasses import dataclass

# What has keyboard focus, whether it can be seen, and whether focus shows on it. Hidden
# native radios and checkboxes (the DS draws them on their label) show focus on the label.
_FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const labels = Array.from(el.labels || []);
  const label = labels[0] || null;
  const hasBox = (node) => {
    const r = node.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const drawnElsewhere = ["radio", "checkbox", "file"].includes(el.type) && !hasBox(el);
  const shown = drawnElsewhere ? (labels.filter(hasBox).pop() || el) : el;
  const parts = [shown, ...labels, el.nextElementSibling, shown.parentElement,
                 el.closest("summary, .br-button, .br-item")].filter(Boolean);
  const look = () => parts.map((node) => ["", "::before", "::after"].map((pseudo) => {
    const s = getComputedStyle(node, pseudo || null);
    return [s.outlineStyle, s.outlineWidth, s.outlineColor, s.boxShadow, s.borderColor,
            s.backgroundColor].join("|");
  }).join("/")).join("//");
  const outlined = parts.some((node) => ["", "::before", "::after"].some((pseudo) => {
    const s = getComputedStyle(node, pseudo || null);
    return s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0;
  }));
  const focused = look();
  el.blur();
  const unfocused = look();
  el.focus({preventScroll: true});
  const box = shown.getBoundingClientRect();
  const text = el.getAttribute("aria-label") || (label && label.textContent) || el.textContent
    || el.name || el.id || "";
  const name = text.trim().replace(/\\s+/g, " ").slice(0, 60);
  return {
    tag: el.tagName.toLowerCase(), type: el.type || "", id: el.id, name,
    classes: el.className && el.className.baseVal === undefined ? el.className : "",
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.right > 0
      && box.top < innerHeight && box.left < innerWidth
      && getComputedStyle(shown).visibility !== "hidden",
    indicator: outlined || focused !== unfocused,
  };
}"""


@dataclass
class Stop:
    tag: str
    type: str
    id: str
    name: str
    classes: str
    visible: bool
    indicator: bool

    def __str__(self):
        return (
            f"<{self.tag} type={self.type!r} id={self.id!r} class={self.classes!r}> {self.name!r}"
        )


class Keyboard:
    """Tab / Shift+Tab / Enter / Space (and typing into the focused field), nothing else."""

    def __init__(self, page, max_stops: int = 80):
        self.page = page
        self.max_stops = max_stops
        self.visited: list[Stop] = []

    def focused(self) -> Stop | None:
        state = self.page.evaluate(_FOCUS_STATE)
        return Stop(**state) if state else None

    def press(self, key: str) -> None:
        assert key in {"Tab", "Shift+Tab", "Enter", "Space"}, key
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def tab_to(self, matches, backwards: bool = False) -> Stop:
        """Tab until the focused control satisfies `matches(stop)`; every stop on the way must
        be visible and show focus."""
        for _ in range(self.max_stops):
            self.press("Shift+Tab" if backwards else "Tab")
            stop = self.focused()
            if stop is None:
                continue
            for _ in range(10):  # some controls slide in on focus (the DS skip links)
                if stop.visible and stop.indicator:
                    break
                self.page.wait_for_timeout(60)
                stop = self.focused()
            self.visited.append(stop)
            assert stop.visible, f"focused but not visible on {self.page.url}: {stop}"
            assert stop.indicator, f"no visible focus indicator on {self.page.url}: {stop}"
            if matches(stop):
                return stop
        raise AssertionError(
            f"not reached with Tab on {self.page.url}; visited:\n"
            + "\n".join(str(stop) for stop in self.visited[-self.max_stops :])
        )

    def tab_to_name(self, text: str, **kwargs) -> Stop:
        return self.tab_to(lambda stop: text in stop.name, **kwargs)

    def tab_to_id(self, element_id: str, **kwargs) -> Stop:
        return self.tab_to(lambda stop: stop.id == element_id, **kwargs)
