"""Pagination that can be told its count."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class KnownCountPaginator(Paginator):
    """A Paginator given the number of objects when a page already knows it (a counter, a
    tab), so it runs no COUNT of its own; without it, counts as Django's does."""

    def __init__(self, object_list, per_page, *, known_count: int | None = None):
        super().__init__(object_list, per_page)
        self._known_count = known_count

    @cached_property
    def count(self) -> int:
        if self._known_count is not None:
            return self._known_count
        return self._count_objects()

    def _count_objects(self) -> int:
        return super().count
