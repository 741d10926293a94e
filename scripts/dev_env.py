"""Write the development settings `make run` serves with into a `.env` file that
config/settings.py reads, so every command run in the checkout (`manage.py
run_automatic_transitions`, `import_siop_users`, ...) shares the server's set-up.

    python scripts/dev_env.py .env DEBUG=true PORTAL_BASE_URL=http://127.0.0.1:8201

Only the keys given are written; anything else in the file is kept as it is.
"""

import sys
from pathlib import Path

from dotenv import set_key

HEADER = (
    "# Development settings for this checkout, read by config/settings.py (the environment\n"
    "# wins over them). `make run` keeps DEBUG and PORTAL_BASE_URL up to date; delete the\n"
    "# file to go back to the defaults. Never commit it (.gitignore).\n"
)


def main(argv: list[str]) -> int:
    if len(argv) < 2 or not all("=" in pair for pair in argv[1:]):
        print(__doc__, file=sys.stderr)
        return 2
    path = Path(argv[0])
    if not path.exists():
        path.write_text(HEADER, encoding="utf-8")
    for pair in argv[1:]:
        key, value = pair.split("=", 1)
        set_key(path, key, value, quote_mode="never")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
