"""Reading what a page shows, for view tests."""


def counter(html: str, label: str) -> int:
    """The number the counters widget shows for `label` ("Todos", "Novo", ...)."""
    before = html.split(f'<span class="portal-counter-label">{label}</span>')[0]
    return int(before.rsplit('<span class="portal-counter-number">', 1)[1].split("<")[0])
