"""The README and docs/ stand alone (issue 14): every relative link in README.md and
docs/*.md points at a file of this repository, and every #anchor at a heading of its page.
Links to web sites (https://…) are not followed."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# [text](target) and ![alt](target), outside code; the target up to a space or ")".
LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")


def links(document: Path) -> list[str]:
    """The page's link targets, and the paths it names in code that climb out of its folder
    (`../shared/DESIGN.md`, as the README once did): those must resolve too."""
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    named = [span.strip("`") for span in CODE.findall(text) if span.startswith("`../")]
    return LINK.findall(CODE.sub("", text)) + named


def anchors(document: Path) -> set[str]:
    """GitHub's anchors of the page's headings: lower case, punctuation dropped, spaces to
    hyphens."""
    text = FENCE.sub("", document.read_text(encoding="utf-8"))
    headings = re.findall(r"^#{1,6}\s+(.+?)\s*#*$", text, re.M)
    slugs = set()
    for heading in headings:
        # Emphasis marks go (an underscore only where it wraps words: `PORTAL_X` keeps its).
        plain = re.sub(r"[`*]|(?<!\w)_|_(?!\w)|\[([^\]]*)\]\([^)]*\)", r"\1", heading)
        plain = plain.strip().lower()
        slugs.add(re.sub(r"[^\w\- ]", "", plain).replace(" ", "-"))
    return slugs


def test_the_documents_exist_and_link_each_other():
    assert (ROOT / "docs" / "design.md") in DOCUMENTS
    assert (ROOT / "docs" / "architecture.md") in DOCUMENTS
    readme = links(ROOT / "README.md")
    assert "docs/design.md" in readme and "docs/architecture.md" in readme


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda path: str(path.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(document):
    broken = []
    for target in links(document):
        if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.I):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        file = (document.parent / path).resolve() if path else document
        if not file.is_relative_to(ROOT):
            broken.append(f"{target}: outside the repository")
        elif not file.exists():
            broken.append(f"{target}: no such file")
        elif anchor and file.suffix == ".md" and anchor not in anchors(file):
            broken.append(f"{target}: no heading #{anchor}")
    assert not broken, f"{document.relative_to(ROOT)}: " + "; ".join(broken)


def test_the_check_catches_a_link_outside_the_repository(tmp_path, monkeypatch):
    """The check above must be able to fail: the old README's link to ../shared/."""
    page = ROOT / "docs" / "design.md"
    text = "See `../../shared/STYLE.md`, [the design](../x.md) and [nothing](missing.md#x).\n"
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: text)
    with pytest.raises(AssertionError) as failure:
        test_every_relative_link_resolves_inside_the_repository(page)
    report = str(failure.value)
    assert "../../shared/STYLE.md: outside the repository" in report
    assert "../x.md: no such file" in report and "missing.md#x: no such file" in report
