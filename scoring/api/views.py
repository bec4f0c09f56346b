"""The scoring API: scoring models (read by every user, changed by marketing admins) and a lead's
score with its breakdown (read by those who can see the lead)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.selectors import visible_lead

from .. import services
from ..models import ScoringModel
from .serializers import LeadScoreSerializer, ScoringModelInputSerializer, ScoringModelSerializer


def _models():
    return ScoringModel.objects.prefetch_related("entries", "behaviour_rules").order_by("-is_default", "name")


class ScoringModelListView(APIView):
    @extend_schema(summary="Scoring models, the default first", responses=ScoringModelSerializer(many=True))
    def get(self, request):
        return Response(ScoringModelSerializer(_models(), many=True).data)

    @extend_schema(
        summary="Create a scoring model (marketing admins)",
        request=ScoringModelInputSerializer,
        responses={201: ScoringModelSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def post(self, request):
        data = ScoringModelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        model = services.scoring_model_create(data=data.validated_data, acting_user=request.user)
        return Response(ScoringModelSerializer(_models().get(pk=model.pk)).data, status=status.HTTP_201_CREATED)


class ScoringModelDetailView(APIView):
    @extend_schema(summary="A scoring model with its rules", responses=ScoringModelSerializer)
    def get(self, request, pk: int):
        return Response(ScoringModelSerializer(get_object_or_404(_models(), pk=pk)).data)

    @extend_schema(
        summary="Change a scoring model (marketing admins); its leads are scored again in the background",
        request=ScoringModelInputSerializer,
        responses={200: ScoringModelSerializer, 400: OpenApiResponse(description="Field errors")},
    )
    def put(self, request, pk: int):
        model = get_object_or_404(ScoringModel, pk=pk)
        data = ScoringModelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.scoring_model_update(model=model, data=data.validated_data, acting_user=request.user)
        return Response(ScoringModelSerializer(_models().get(pk=pk)).data)


class LeadScoreView(APIView):
    @extend_schema(
        summary="A lead's score by each active model, with each rule that contributed and the decay",
        responses=LeadScoreSerializer,
    )
    def get(self, request, pk: int):
        lead = visible_lead(user=request.user, pk=pk)
        scores = [
            {"model": s.model, "result": s.result, "computed_at": s.computed_at}
            for s in services.lead_scores(lead=lead)
        ]
        return Response(LeadScoreSerializer({"lead": lead.pk, "scores": scores}).data)
