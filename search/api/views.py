from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ..selectors import clean_query, global_search
from .serializers import SearchAnswerSerializer, SearchQuerySerializer


class SearchView(APIView):
    @extend_schema(
        summary="Search leads, contacts, accounts and opportunities",
        description=(
            "Records whose name, company, email or phone starts with the query, ignoring case and "
            "accents, grouped by object; each group holds the records the caller may read (at most "
            "five) and says whether there are more."
        ),
        parameters=[OpenApiParameter("q", str, required=True, description="The text to look for.")],
        responses=SearchAnswerSerializer,
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = clean_query(params.validated_data["q"])
        groups = global_search(user=request.user, query=query)
        return Response(SearchAnswerSerializer({"q": query, "groups": groups}).data)
