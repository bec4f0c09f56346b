"""Demo email content: folders, templates, an active auto-response rule, the default response and
a few auto-responses already in the outbox. Idempotent."""

from core import registry

from .models import AutoResponseRule, EmailFolder, EmailTemplate
from .services import (
    autoresponse_entry_create,
    autoresponse_rule_activate,
    autoresponse_rule_create,
    autoresponse_send,
    autoresponse_settings_update,
    email_folder_create,
    email_template_create,
)

FOLDERS = [
    ("Auto-Responses", "Emails sent automatically to new leads."),
    ("Sales Follow-up", "Templates reps send from a lead page."),
    ("Notifications", "Emails to users, such as a lead assignment."),
]

TEMPLATES = [
    (
        "Auto-Responses",
        "Web-to-Lead Thank You",
        "Thanks for reaching out, {{Lead.FirstName|there}}",
        "Hi {{Lead.FirstName|there}},\n\nThank you for your interest. {{Lead.Owner.Name|Our team}} will be in touch "
        "within one business day.\n\nBest regards,\nThe Acme Sales Team",
        "<p>Hi {{Lead.FirstName|there}},</p><p>Thank you for your interest. <strong>{{Lead.Owner.Name|Our team}}"
        "</strong> will be in touch within one business day.</p><p>Best regards,<br>The Acme Sales Team</p>",
    ),
    (
        "Auto-Responses",
        "Trade Show Follow-up",
        "Great meeting you at the show, {{Lead.FirstName|there}}",
        "Hi {{Lead.FirstName|there}},\n\nIt was great to meet you and the {{Lead.Company}} team at our booth. "
        "The slides and price list are attached to your account page.\n\n{{Lead.Owner.Name|The Acme team}}",
        "<p>Hi {{Lead.FirstName|there}},</p><p>It was great to meet you and the <em>{{Lead.Company}}</em> team at "
        "our booth.</p><p>{{Lead.Owner.Name|The Acme team}}</p>",
    ),
    (
        "Sales Follow-up",
        "Intro Call Request",
        "A quick call about {{Lead.Company}}?",
        "Hi {{Lead.FirstName|there}},\n\nWould you have 20 minutes this week to talk about what {{Lead.Company}} "
        "needs? Reply with a time that suits you.\n\n{{Lead.Owner.Name}}\n{{Lead.Owner.Email}}",
        "",
    ),
    (
        "Notifications",
        "New Lead Assigned",
        "New lead assigned to you: {{Lead.FirstName}} {{Lead.LastName}} ({{Lead.Company}})",
        "{{Lead.FirstName}} {{Lead.LastName}} from {{Lead.Company}} is now yours.\n"
        "Lead source: {{Lead.LeadSource|unknown}}\nOpen the lead: {{Lead.Link}}",
        "",
    ),
]


def seed(*, users: dict) -> None:
    admin = users["marketing"]
    folders = {}
    for name, description in FOLDERS:
        folder = EmailFolder.objects.filter(name=name).first()
        folders[name] = folder or email_folder_create(name=name, description=description, acting_user=admin)
    templates = {}
    for folder, name, subject, text, html in TEMPLATES:
        template = EmailTemplate.objects.filter(name=name).first()
        templates[name] = template or email_template_create(
            data={
                "folder": folders[folder],
                "name": name,
                "subject": subject,
                "body_text": text,
                "body_html": html,
                "is_active": True,
            },
            acting_user=admin,
        )
    autoresponse_settings_update(
        default_template=templates["Web-to-Lead Thank You"],
        default_from_name="Acme Sales",
        default_from_address="sales@acme.example",
        default_reply_to="sales@acme.example",
        acting_user=admin,
    )
    if not AutoResponseRule.objects.filter(name="Standard Auto-Response").exists():
        rule = autoresponse_rule_create(
            name="Standard Auto-Response",
            description="Trade show and event visitors get the show follow-up; everyone else the thank-you.",
            acting_user=admin,
        )
        autoresponse_entry_create(
            rule=rule,
            data={
                "criteria": [
                    {"field": "lead_source", "operator": "includes", "value": ["Trade Show", "Customer Event"]}
                ],
                "template": templates["Trade Show Follow-up"],
                "from_name": "Acme Events",
                "from_address": "events@acme.example",
                "reply_to": "events@acme.example",
            },
            acting_user=admin,
        )
        autoresponse_rule_activate(rule=rule, acting_user=admin)
    # A few leads from the web already got their auto-response (idempotent per lead and source).
    lead_model = registry.object_spec("lead").model
    for lead in (
        lead_model.objects.filter(lead_source__in=["Website", "Trade Show"], email_opt_out=False)
        .exclude(email="")
        .order_by("created_at", "id")[:6]
    ):
        autoresponse_send(lead=lead, source="demo")
