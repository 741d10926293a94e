"""The README's worked example of the sync signature is what the portal computes and accepts:
the values are read from the README itself, so the documentation cannot drift."""

import re
from pathlib import Path

import pytest

from servicedesk.api.siop import sign, signing_string

README = Path(__file__).resolve().parents[3] / "README.md"


def _worked_example() -> dict[str, str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Signing a sync request (scheme v2)", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([\w-]+) \| `(.*)` \|$", section, flags=re.M)
    return dict(rows)


def test_the_readme_example_is_complete():
    example = _worked_example()
    assert set(example) == {"secret", "timestamp", "method", "path", "body", "X-Siop-Signature"}


def test_the_readme_signature_is_what_the_portal_computes():
    example = _worked_example()
    computed = sign(
        example["secret"],
        example["timestamp"],
        example["method"],
        example["path"],
        example["body"].encode(),
    )
    assert computed == example["X-Siop-Signature"]


def test_the_readme_signing_string_is_the_one_documented():
    text = README.read_text(encoding="utf-8")
    assert "<X-Siop-Timestamp>\\n<METHOD>\\n<path>\\n<raw body>" in text
    assert signing_string("1", "put", "/p", b"{}") == b"1\nPUT\n/p\n{}"


@pytest.mark.django_db
def test_the_readme_example_is_accepted_by_the_endpoint(client, settings, time_machine):
    example = _worked_example()
    settings.PORTAL_SIOP_SYNC_SECRET = example["secret"]
    time_machine.move_to(int(example["timestamp"]) + 3, tick=False)
    response = client.generic(
        example["method"],
        example["path"],
        example["body"].encode(),
        content_type="application/json",
        headers={
            "X-Siop-Timestamp": example["timestamp"],
            "X-Siop-Signature": example["X-Siop-Signature"],
        },
    )
    assert response.status_code == 201, response.content
