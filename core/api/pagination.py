"""Paging without COUNT(*): a page asks for one row more than it shows to know if there is a next."""

from collections import OrderedDict

from rest_framework.pagination import BasePagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param


class NoCountPagination(BasePagination):
    page_size = 50
    max_page_size = 200
    page_query_param = "page"
    page_size_query_param = "page_size"

    def _int(self, request, name, default, maximum=None):
        try:
            value = int(request.query_params.get(name, default))
        except (TypeError, ValueError):
            value = default
        value = max(1, value)
        return min(value, maximum) if maximum else value

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        self.size = self._int(request, self.page_size_query_param, self.page_size, self.max_page_size)
        self.page = self._int(request, self.page_query_param, 1)
        offset = (self.page - 1) * self.size
        rows = list(queryset[offset : offset + self.size + 1])
        self.has_next = len(rows) > self.size
        return rows[: self.size]

    def _link(self, page):
        url = self.request.build_absolute_uri()
        if page < 1:
            return None
        if page == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page)

    def get_paginated_response(self, data):
        return Response(
            OrderedDict(
                [
                    ("next", self._link(self.page + 1) if self.has_next else None),
                    ("previous", self._link(self.page - 1) if self.page > 1 else None),
                    ("page", self.page),
                    ("results", data),
                ]
            )
        )

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page (default {self.page_size}, at most {self.max_page_size}).",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["results"],
            "properties": {
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "page": {"type": "integer"},
                "results": schema,
            },
        }
