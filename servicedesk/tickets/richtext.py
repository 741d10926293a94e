"""Sanitising the HTML people write, and its plain-text twin for e-mail and search.

Every HTML body is stored only after passing through nh3 (the Ammonia sanitiser) with an
explicit allow-list; images may only point at this ticket's own attachment view.
"""

import html
import re
from dataclasses import dataclass

import nh3
from django.urls import reverse

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "strike",
    "ol", "ul", "li", "blockquote", "code", "pre", "a", "img",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href"}, "img": {"src", "alt"}}
LINK_SCHEMES = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_IMG_WITHOUT_SRC = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")
_BLOCK_ENDS = re.compile(r"(<br\s*/?>|</p>|</li>|</blockquote>|</pre>)", re.IGNORECASE)


@dataclass(frozen=True)
class CleanBody:
    html: str
    text: str
    image_ids: list[int]  # attachments shown inline, to be linked to the entry

    @property
    def is_empty(self) -> bool:
        return not self.text.strip() and not self.image_ids


def _inline_image_pattern(ticket_number: int) -> re.Pattern:
    # The URL of the attachment view of this ticket, e.g. /chamados/12/anexos/34/
    sample = reverse("tickets:attachment", args=[ticket_number, 999999])
    prefix = re.escape(sample.removesuffix("999999/"))
    return re.compile(rf"^{prefix}(\d+)/$")


def clean_html(raw: str, *, ticket_number: int) -> CleanBody:
    image_url = _inline_image_pattern(ticket_number)
    image_ids: list[int] = []

    def keep(tag: str, attribute: str, value: str) -> str | None:
        if tag == "a" and attribute == "href":
            return value if LINK_SCHEMES.match(value.strip()) else None
        if tag == "img" and attribute == "src":
            match = image_url.match(value.strip())
            if not match:
                return None
            image_ids.append(int(match.group(1)))
            return value.strip()
        return value

    cleaned = nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style", "svg", "math", "iframe", "object", "template"},
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=keep,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )
    # An <img> whose src was refused would show a broken picture: drop it altogether.
    cleaned = _IMG_WITHOUT_SRC.sub("", cleaned).strip()
    return CleanBody(html=cleaned, text=html_to_text(cleaned), image_ids=sorted(set(image_ids)))


def html_to_text(markup: str) -> str:
    with_breaks = _BLOCK_ENDS.sub(lambda m: m.group(0) + "\n", markup)
    text = html.unescape(nh3.clean(with_breaks, tags=set()))
    lines = [line.rstrip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def text_to_html(text: str) -> CleanBody:
    """A plain-text body (the form without JavaScript) as paragraphs and line breaks."""
    text = text.replace("\r\n", "\n").strip()
    paragraphs = [p for p in re.split(r"\n{2,}", text) if p.strip()]
    markup = "".join(
        "<p>" + "<br>".join(html.escape(line) for line in paragraph.split("\n")) + "</p>"
        for paragraph in paragraphs
    )
    return CleanBody(html=markup, text=text, image_ids=[])


def clean_body(raw: str, *, body_format: str, ticket_number: int) -> CleanBody:
    """A message as posted: the editor's HTML, or plain text from the textarea without JS."""
    if body_format == "html":
        return clean_html(raw, ticket_number=ticket_number)
    return text_to_html(raw)
