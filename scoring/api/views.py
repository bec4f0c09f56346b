"""The scoring API: scoring models (read by every user, changed by marketing admins) and a lead's
score with its breakdown (read by those who can see the lead)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from engagement.selectors import visible_lead

from .. import services, timing_rules
from ..history import lead_score_history
from ..models import ScoringModel, StatusProgressionRule, VelocityRule
from .serializers import (
    LeadScoreSerializer,
    ProgressionRuleInputSerializer,
    ProgressionRuleSerializer,
    ScoringModelInputSerializer,
    ScoringModelSerializer,
    VelocityRuleInputSerializer,
    VelocityRuleSerializer,
)


def _models():
    return ScoringModel.objects.prefetch_related(
        "entries", "behaviour_rules", "velocity_rules", "progression_rules"
    ).order_by("-is_default", "name")


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
        scored = services.lead_scores(lead=lead)
        history = lead_score_history(lead=lead, model_ids=[s.model.pk for s in scored])
        scores = [
            {
                "model": s.model,
                "result": s.result,
                "computed_at": s.computed_at,
                "mql_at": s.mql_at,
                "history": history[s.model.pk],
            }
            for s in scored
        ]
        return Response(LeadScoreSerializer({"lead": lead.pk, "scores": scores}).data)


class _ModelRuleViews:
    """A kind of a model's timing rules in the API: its model class, serializers and services."""

    def __init__(self, *, rule_class, output, input, create, update, delete, summary: str):
        self.rule_class, self.output, self.input = rule_class, output, input
        self.create, self.update, self.delete, self.summary = create, update, delete, summary

    def list_view(self):
        kind = self

        class ListView(APIView):
            @extend_schema(summary=f"A scoring model's {kind.summary}", responses=kind.output(many=True))
            def get(self, request, pk: int):
                model = get_object_or_404(ScoringModel, pk=pk)
                return Response(kind.output(kind.rule_class.objects.filter(model=model), many=True).data)

            @extend_schema(
                summary=f"Add one of a scoring model's {kind.summary} (marketing admins)",
                request=kind.input,
                responses={201: kind.output, 400: OpenApiResponse(description="Field errors")},
            )
            def post(self, request, pk: int):
                model = get_object_or_404(ScoringModel, pk=pk)
                data = kind.input(data=request.data)
                data.is_valid(raise_exception=True)
                rule = kind.create(model=model, data=data.validated_data, acting_user=request.user)
                return Response(kind.output(rule).data, status=status.HTTP_201_CREATED)

        ListView.__name__ = f"{kind.rule_class.__name__}ListView"
        return ListView

    def detail_view(self):
        kind = self

        class DetailView(APIView):
            def _rule(self, pk: int, rule_pk: int):
                return get_object_or_404(kind.rule_class, pk=rule_pk, model_id=pk)

            @extend_schema(
                summary=f"Change one of a scoring model's {kind.summary} (marketing admins)",
                request=kind.input,
                responses={200: kind.output, 400: OpenApiResponse(description="Field errors")},
            )
            def put(self, request, pk: int, rule_pk: int):
                rule = self._rule(pk, rule_pk)
                data = kind.input(data=request.data)
                data.is_valid(raise_exception=True)
                return Response(
                    kind.output(kind.update(rule=rule, data=data.validated_data, acting_user=request.user)).data
                )

            @extend_schema(
                summary=f"Delete one of a scoring model's {kind.summary} (marketing admins)", responses={204: None}
            )
            def delete(self, request, pk: int, rule_pk: int):
                kind.delete(rule=self._rule(pk, rule_pk), acting_user=request.user)
                return Response(status=status.HTTP_204_NO_CONTENT)

        DetailView.__name__ = f"{kind.rule_class.__name__}DetailView"
        return DetailView


VELOCITY = _ModelRuleViews(
    rule_class=VelocityRule,
    output=VelocityRuleSerializer,
    input=VelocityRuleInputSerializer,
    create=timing_rules.velocity_rule_create,
    update=timing_rules.velocity_rule_update,
    delete=timing_rules.velocity_rule_delete,
    summary="velocity rules",
)
PROGRESSION = _ModelRuleViews(
    rule_class=StatusProgressionRule,
    output=ProgressionRuleSerializer,
    input=ProgressionRuleInputSerializer,
    create=timing_rules.progression_rule_create,
    update=timing_rules.progression_rule_update,
    delete=timing_rules.progression_rule_delete,
    summary="status progression rules",
)
