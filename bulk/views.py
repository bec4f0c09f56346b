"""The Setup page "Bulk Data Load Jobs": the bulk API's ingest and query jobs with their state,
progress, counts and result downloads (admins see every job, other users their own)."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from core.roles import is_marketing_admin, may_export

from .selectors import ingest_jobs_visible_to, query_jobs_visible_to
from .services import may_import

PAGE_SIZE = 25


@login_required
@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    ingest = Paginator(ingest_jobs_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    queries = Paginator(query_jobs_visible_to(request.user), PAGE_SIZE).get_page(request.GET.get("qpage"))
    return render(
        request,
        "bulk/job_list.html",
        {
            "ingest": ingest,
            "queries": queries,
            "sees_all": is_marketing_admin(request.user),
            "may_import": may_import(request.user),
            "may_export": may_export(request.user),
        },
    )
