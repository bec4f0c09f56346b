"""An admin runs a stored submission again, or releases it from the spam log."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.roles import require_setup_admin

from ..models import Intake
from ..selectors import webtolead_settings
from .parsing import SubmissionResult
from .processing import _process

REPLAYABLE = {Intake.Outcome.RECEIVED, Intake.Outcome.REJECTED, Intake.Outcome.SPAM, Intake.Outcome.PENDING}


@transaction.atomic
def intake_replay(*, intake: Intake, acting_user) -> SubmissionResult:
    """An admin runs a stored submission again: spam checks and the daily limit are skipped (the
    admin vouches for it), validation is not. Releasing a spam row is a replay."""
    require_setup_admin(acting_user)
    settings_row = webtolead_settings()
    intake = Intake.objects.select_for_update(of=("self",)).select_related("form").get(pk=intake.pk)
    if intake.outcome not in REPLAYABLE:
        raise ValidationError(
            _("A submission with outcome “%(get_outcome_display)s” cannot be replayed.")
            % {"get_outcome_display": intake.get_outcome_display()}
        )
    result = _process(intake, settings_row, check_spam=False, check_limit=False, acting_user=acting_user)
    if intake.outcome == Intake.Outcome.PENDING:
        raise ValidationError(intake.reason)
    return result


def intake_release(*, intake: Intake, acting_user) -> SubmissionResult:
    """Release a submission from the spam log: create its lead now."""
    if intake.outcome != Intake.Outcome.SPAM:
        raise ValidationError(_("Only submissions in the spam log can be released."))
    return intake_replay(intake=intake, acting_user=acting_user)
