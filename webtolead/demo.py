"""Demo content of Web-to-Lead: settings, two forms and a few submissions in the intake log."""

from .models import Intake, WebToLeadForm
from .services import intake_process, submission_receive, webtolead_form_create, webtolead_settings_update

FORMS = [
    {
        "name": "Contact Us",
        "lead_source": "Website",
        "campaign": "Website contact",
        "return_url": "https://www.example.com/thank-you",
        "submit_label": "Send",
        "fields": [
            {"name": "first_name", "label": "First name"},
            {"name": "last_name", "label": "Last name"},
            {"name": "email", "label": "Work email", "required": True},
            {"name": "company", "label": "Company"},
            {"name": "phone", "label": "Phone"},
            {"name": "country", "label": "Country"},
            {"name": "description", "label": "How can we help?"},
        ],
    },
    {
        "name": "Webinar Registration",
        "lead_source": "Webinar",
        "campaign": "Spring webinar series",
        "submit_label": "Register",
        "fields": [
            {"name": "first_name", "label": "First name", "required": True},
            {"name": "last_name", "label": "Last name"},
            {"name": "email", "label": "Email", "required": True},
            {"name": "company", "label": "Company"},
            {"name": "title", "label": "Job title"},
            {"name": "industry", "label": "Industry"},
            {"name": "emailOptOut", "label": "Do not email me about other events"},
        ],
    },
]

SUBMISSIONS = [
    {"first_name": "Hedy", "last_name": "Lamarr", "email": "hedy@frequency.example", "company": "Frequency Hop"},
    {"first_name": "Buy", "last_name": "Now", "company": "Spam Inc", "w2l_website2": "http://spam.example"},
    {"first_name": "Alan", "last_name": "", "email": "alan@bletchley", "company": "Bletchley"},
]


def seed(*, users: dict) -> None:
    marketing = users["marketing"]
    webtolead_settings_update(
        data={
            "enabled": True,
            "default_creator": marketing,
            "allowed_return_domains": "www.example.com",
        },
        acting_user=marketing,
    )
    for spec in FORMS:
        if not WebToLeadForm.objects.filter(name=spec["name"]).exists():
            webtolead_form_create(data=spec, acting_user=marketing)
    if Intake.objects.exists():
        return
    form = WebToLeadForm.objects.get(name="Contact Us")
    for payload in SUBMISSIONS:
        result = submission_receive(
            payload={"oid": form.public_key, **payload},
            form_key=form.public_key,
            content_type="application/x-www-form-urlencoded",
            source_address="203.0.113.10",
            user_agent="Mozilla/5.0 (demo)",
        )
        # The demo's leads exist at once, whether or not a worker runs yet.
        intake_process(intake_pk=result.intake.pk)
