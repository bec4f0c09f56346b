"""The results page of the header's search box."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .normalize import MIN_LENGTH
from .selectors import clean_query, global_search, is_searchable


@login_required
def search_view(request: HttpRequest) -> HttpResponse:
    query = clean_query(request.GET.get("q"))
    groups = global_search(user=request.user, query=query)
    context = {
        "query": query,
        "too_short": bool(query) and not is_searchable(query),
        "min_length": MIN_LENGTH,
        "groups": groups,
        "found": any(group.hits for group in groups),
    }
    return render(request, "search/results.html", context)
