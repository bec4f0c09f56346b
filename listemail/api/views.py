"""The list email API: preview (``dry_run``) or send one template to many leads; read a send's
progress. Marketing admins only; leads and contacts are those the user may see."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.response import Response

from campaigns.models import Campaign
from campaigns.selectors import campaigns_visible_to
from core.roles import may_manage_campaigns
from emails.models import EmailTemplate
from listemail import selectors, services

from .serializers import ListEmailInputSerializer, ListEmailSerializer, PreviewSerializer

FIELD_ERRORS = OpenApiResponse(description="Field errors: {field: [messages]}.")


def _campaign(user, pk, field: str) -> Campaign | None:
    if pk is None:
        return None
    found = campaigns_visible_to(user).filter(pk=pk).first()
    if found is None:
        raise ValidationError({field: [_("Choose a campaign.")]})
    return found


class ListEmailViewSet(mixins.RetrieveModelMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ListEmailSerializer

    def get_queryset(self):
        return selectors.list_emails_visible_to(self.request.user).order_by("-id")

    @extend_schema(
        summary="Preview or send a list email",
        description="One template to `lead_ids` (or a `campaign`'s members: its leads and its contacts), at most "
        "50,000 recipients. "
        "With `dry_run` the answer is the preview: the recipient count and the skipped by reason "
        "(`no_email`, `opt_out`, `withdrawn`, `pending`, `suppressed`, `duplicate`, `converted`). Otherwise "
        "the send is created (201) and its emails are queued in the background; GET it for progress.",
        request=ListEmailInputSerializer,
        responses={200: PreviewSerializer, 201: ListEmailSerializer, 400: FIELD_ERRORS},
    )
    def create(self, request, *args, **kwargs):
        if not may_manage_campaigns(request.user):
            raise PermissionDenied(_("Only marketing admins may send list email."))
        data = ListEmailInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        template = EmailTemplate.objects.filter(pk=values["template"]).first()
        if template is None:
            raise ValidationError({"template": [_("Choose an email template.")]})
        campaign = _campaign(request.user, values.get("campaign"), "campaign")
        leads = services.candidate_leads(user=request.user, lead_ids=values.get("lead_ids"), campaign=campaign)
        contacts = services.candidate_contacts(user=request.user, campaign=campaign)
        if values["dry_run"]:
            preview = services.list_email_preview(leads=leads, contacts=contacts)
            return Response(
                {
                    "count": preview.count,
                    "leads": len(preview.recipients),
                    "contacts": len(preview.contact_recipients),
                    "skipped": dict(preview.skipped),
                }
            )
        send = services.list_email_create(
            user=request.user,
            template=template,
            leads=leads,
            contacts=contacts,
            record_campaign=_campaign(request.user, values.get("record_campaign"), "record_campaign"),
            from_name=values.get("from_name", ""),
            from_address=values.get("from_address", ""),
            reply_to=values.get("reply_to", ""),
        )
        return Response(ListEmailSerializer(send).data, status=status.HTTP_201_CREATED)
