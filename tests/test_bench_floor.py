"""The benchmark's floor route (config/urls.py) exists only when PORTAL_BENCH_FLOOR is set."""

import importlib
import os

import pytest
from django.urls import NoReverseMatch, clear_url_caches, reverse


def _reload_urls():
    clear_url_caches()
    importlib.reload(importlib.import_module("config.urls"))


@pytest.fixture
def floor_enabled():
    os.environ["PORTAL_BENCH_FLOOR"] = "true"
    _reload_urls()
    yield
    del os.environ["PORTAL_BENCH_FLOOR"]
    _reload_urls()


def test_the_floor_route_is_absent_by_default(client, requester):
    client.force_login(requester)
    with pytest.raises(NoReverseMatch):
        reverse("bench_floor")
    assert client.get("/bench/floor/").status_code == 404


def test_the_floor_answers_with_the_logged_in_user(floor_enabled, client, requester):
    client.force_login(requester)
    response = client.get(reverse("bench_floor"))
    assert response.status_code == 200
    assert response.content == f"ok {requester.pk}".encode()


def test_the_floor_goes_through_the_login_like_any_page(floor_enabled, client):
    assert client.get(reverse("bench_floor")).content == b"ok None"
