"""Pages that belong to no domain app."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def home(request):
    # The catalog and the counters replace this greeting when the catalog lands.
    return render(request, "core/home.html")
