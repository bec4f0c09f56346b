"""Demo leads: about 200 realistic leads over statuses, sources, owners and dates, and a queue."""

import random
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from .fields import UNQUALIFIED_REASONS
from .models import Lead, Queue
from .services import lead_create, lead_note_create

FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Linus",
    "Margaret",
    "Ken",
    "Barbara",
    "Dennis",
    "Frances",
    "Tim",
    "Radia",
    "John",
    "Katherine",
    "Edsger",
    "Hedy",
    "Guido",
    "Anita",
    "Bjarne",
    "Sophie",
    "Yukihiro",
    "Carol",
    "Niklaus",
    "Shafi",
    "Leslie",
    "Donald",
    "Ruth",
    "Vint",
    "Adele",
    "Brian",
    "Lynn",
]
LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Torvalds",
    "Hamilton",
    "Thompson",
    "Liskov",
    "Ritchie",
    "Allen",
    "Berners-Lee",
    "Perlman",
    "McCarthy",
    "Johnson",
    "Dijkstra",
    "Lamarr",
    "van Rossum",
    "Borg",
    "Stroustrup",
    "Wilson",
    "Matsumoto",
    "Shaw",
    "Wirth",
    "Goldwasser",
    "Lamport",
    "Knuth",
    "Teitelbaum",
    "Cerf",
    "Goldberg",
    "Kernighan",
    "Conway",
]
COMPANIES = [
    "Acme Corp",
    "Globex",
    "Initech",
    "Umbrella Health",
    "Stark Industries",
    "Wayne Enterprises",
    "Hooli",
    "Pied Piper",
    "Vandelay Imports",
    "Soylent Foods",
    "Tyrell Systems",
    "Cyberdyne",
    "Wonka Confectionery",
    "Oscorp",
    "Massive Dynamic",
    "Aperture Labs",
    "Gringotts Finance",
    "Monarch Solutions",
    "Northwind Traders",
    "Contoso",
    "Fabrikam",
    "Tailspin Toys",
    "Litware",
    "Adventure Works",
    "Blue Yonder Airlines",
    "Proseware",
    "Wide World Importers",
    "Coho Winery",
    "Lucerne Publishing",
    "Margie's Travel",
]
TITLES = [
    "CEO",
    "CTO",
    "VP of Sales",
    "Head of Marketing",
    "Procurement Manager",
    "IT Director",
    "Operations Manager",
    "CFO",
    "Product Manager",
    "Office Manager",
]
CITIES = [
    ("San Francisco", "CA", "94105", "United States"),
    ("Austin", "TX", "78701", "United States"),
    ("New York", "NY", "10001", "United States"),
    ("London", "", "EC1A 1BB", "United Kingdom"),
    ("Berlin", "", "10115", "Germany"),
    ("Toronto", "ON", "M5H 2N2", "Canada"),
    ("Paris", "", "75001", "France"),
    ("Sydney", "NSW", "2000", "Australia"),
]
STATUSES = ["New"] * 5 + ["Working"] * 4 + ["Nurturing"] * 2 + ["Unqualified"] + ["Qualified"] * 2
SOURCES = [
    "Web",
    "Website",
    "Trade Show",
    "Webinar",
    "Employee Referral",
    "Partner Referral",
    "Cold Call",
    "Advertisement",
    "Purchased List",
    "Phone Inquiry",
    "Customer Event",
    "Other",
]
INDUSTRIES = [
    "Technology",
    "Finance",
    "Healthcare",
    "Manufacturing",
    "Retail",
    "Education",
    "Media",
    "Consulting",
    "Energy",
    "Telecommunications",
]
RATINGS = ["Hot", "Warm", "Cold", ""]
DEMO_LEADS = 200


# Two lead record types with processes of their own: inbound leads are qualified by the sales
# team, partner leads are registered deals checked with the partner.
RECORD_TYPES = {
    "Inbound": {
        "description": "Leads that reach us through the website, webinars and events.",
        "statuses": ["New", "Working", "Nurturing", "Unqualified", "Qualified"],
        "layout": [],
        "guidance": {
            "New": ("Call within one business day. Check the company's website before the call.", ["phone", "title"]),
            "Working": (
                "Qualify with BANT: budget, authority, need, timing. Log the call as a note.",
                ["annual_revenue", "number_of_employees", "rating"],
            ),
            "Nurturing": ("Not ready yet: add the lead to a nurture sequence and set a rating.", ["rating"]),
        },
    },
    "Partner": {
        "description": "Deals registered by resellers and referral partners.",
        "statuses": ["New", "Working", "Unqualified", "Qualified"],
        "layout": ["info", "additional"],
        "guidance": {
            "New": (
                "Confirm the registration with the partner within two days; check for a duplicate account.",
                ["website", "industry"],
            ),
            "Working": ("Agree the next step with the partner's account manager.", ["description"]),
        },
    },
}


def _record_types(admin) -> dict:
    from core.models import RecordType

    from .processes.services import lead_path_step_set, lead_record_type_create

    types = {}
    for name, spec in RECORD_TYPES.items():
        existing = RecordType.objects.filter(object_name="lead", name=name).first()
        if existing is None:
            existing = lead_record_type_create(
                name=name,
                description=spec["description"],
                statuses=spec["statuses"],
                layout_sections=spec["layout"],
                acting_user=admin,
            )
            for status, (guidance, key_fields) in spec["guidance"].items():
                lead_path_step_set(
                    record_type=existing, status=status, guidance=guidance, key_fields=key_fields, acting_user=admin
                )
        types[name] = existing
    return types


def seed(*, users: dict) -> None:
    types = _record_types(users["marketing"])
    queue, _ = Queue.objects.get_or_create(name="Inbound Sales", defaults={"email": "inbound-sales@example.com"})
    queue.members.add(users["rep"], users["rep2"])
    Queue.objects.get_or_create(name="Partner Leads", defaults={"email": "partners@example.com"})
    if Lead.objects.filter(created_by=users["marketing"]).count() >= DEMO_LEADS:
        return
    rng = random.Random(20261123)
    owners = [users["rep"]] * 8 + [users["rep2"]] * 7 + [queue] * 3
    now = timezone.now()
    for i in range(DEMO_LEADS):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(COMPANIES)
        city, state, postal, country = rng.choice(CITIES)
        domain = company.lower().replace(" ", "").replace("'", "") + ".example"
        source = rng.choice(SOURCES)
        status = rng.choice(STATUSES)
        lead = lead_create(
            data={
                "first_name": first,
                "last_name": last,
                "company": company,
                "title": rng.choice(TITLES),
                "email": f"{first}.{last}{i}@{domain}".lower().replace(" ", ""),
                "phone": f"+1 555 {rng.randint(100, 999)} {rng.randint(1000, 9999)}",
                "website": f"www.{domain}",
                "city": city,
                "state": state,
                "postal_code": postal,
                "country": country,
                "industry": rng.choice(INDUSTRIES),
                "rating": rng.choice(RATINGS),
                "status": status,
                "unqualified_reason": rng.choice(UNQUALIFIED_REASONS) if status == "Unqualified" else "",
                "lead_source": source if source != "Web" else "Website",
                "annual_revenue": Decimal(rng.choice([250, 900, 2500, 12000, 48000, 150000])) * 1000,
                "number_of_employees": rng.choice([8, 25, 60, 140, 500, 1200, 8000]),
            },
            owner=owners[i % len(owners)],
            acting_user=users["marketing"],
            record_type=types["Partner"] if source == "Partner Referral" else types["Inbound"],
        )
        created = now - timedelta(days=rng.randint(0, 120), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
        if i < 6:
            created = now - timedelta(minutes=5 * i + 1)  # a few for Today's Leads
        Lead.objects.filter(pk=lead.pk).update(created_at=created, last_modified_at=created, owner_assigned_at=created)
        if i % 9 == 0:
            lead_note_create(
                lead=lead,
                title="Discovery call",
                body=f"Spoke with {first}: evaluating options this quarter, wants pricing for {rng.randint(5, 80)} seats.",
                acting_user=users["marketing"],
            )
