"""Demo sales data: a product catalogue, Enterprise and SMB opportunity record types, and a handful
of accounts with contacts and opportunities (with products and contact roles). Idempotent."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Group
from django.utils import timezone

from core.models import PicklistValue
from core.roles import SALES_REP

from .models import Account, Product, RecordType
from .services import (
    account_create,
    contact_create,
    opportunity_contact_role_add,
    opportunity_create,
    opportunity_line_item_add,
    product_create,
    record_type_create,
    record_type_default_set,
)

PRODUCTS = [
    # name, code, list price, description
    ("LeadCRM Professional (seat/year)", "CRM-PRO", "900.00", "Core CRM licence for one user, billed yearly."),
    ("LeadCRM Enterprise (seat/year)", "CRM-ENT", "1800.00", "Enterprise licence with advanced sharing and audit."),
    ("Marketing Automation Add-on", "MKT-ADD", "4800.00", "Campaigns, nurture programs and scoring, per org."),
    ("Premier Support", "SUP-PREM", "6000.00", "24/7 support with a named engineer, per year."),
    ("Standard Support", "SUP-STD", "1200.00", "Business-hours support, per year."),
    ("Implementation Package", "SVC-IMPL", "15000.00", "Fixed-scope implementation by our services team."),
    ("Data Migration", "SVC-MIG", "7500.00", "Migration of accounts, contacts and history from a legacy CRM."),
    ("Admin Training (day)", "SVC-TRN", "1500.00", "One day of on-site or remote admin training."),
    ("API Capacity Pack", "API-PACK", "2400.00", "An extra million API calls per month, per year."),
    ("Sandbox Environment", "ENV-SBX", "3000.00", "A full-copy sandbox for testing, per year."),
]

ACCOUNTS = [
    # name, website, industry, type, rating, city, country, revenue, employees, owner key
    (
        "Northwind Traders",
        "https://www.northwind.example",
        "Retail",
        "Customer - Direct",
        "Hot",
        "Seattle",
        "USA",
        "48000000",
        420,
        "rep",
    ),
    (
        "Contoso Pharmaceuticals",
        "contoso-pharma.example",
        "Healthcare",
        "Prospect",
        "Warm",
        "Basel",
        "Switzerland",
        "910000000",
        5200,
        "rep",
    ),
    (
        "Fabrikam Logistics",
        "https://fabrikam.example",
        "Transportation",
        "Customer - Channel",
        "Warm",
        "Rotterdam",
        "Netherlands",
        "120000000",
        1300,
        "rep2",
    ),
    (
        "Tailspin Energy",
        "www.tailspin-energy.example",
        "Energy",
        "Prospect",
        "Cold",
        "Calgary",
        "Canada",
        "33000000",
        210,
        "rep2",
    ),
    (
        "Adventure Works Cycles",
        "adventure-works.example",
        "Manufacturing",
        "Partner",
        "Hot",
        "Bordeaux",
        "France",
        "76000000",
        640,
        "rep",
    ),
]

CONTACTS = {
    # account name: [(salutation, first, last, title, email local part, lead source)]
    "Northwind Traders": [
        ("Ms.", "Nancy", "Davolio", "VP Sales", "nancy.davolio", "Trade Show"),
        ("Mr.", "Andrew", "Fuller", "CIO", "andrew.fuller", "Webinar"),
    ],
    "Contoso Pharmaceuticals": [("Dr.", "Lena", "Brunner", "Head of Commercial IT", "lena.brunner", "Website")],
    "Fabrikam Logistics": [
        ("Mr.", "Pieter", "de Vries", "Operations Director", "pieter.devries", "Partner Referral"),
        ("Ms.", "Sanne", "Bakker", "Procurement Lead", "sanne.bakker", "Partner Referral"),
    ],
    "Tailspin Energy": [("Mr.", "Owen", "McLeod", "CFO", "owen.mcleod", "Cold Call")],
    "Adventure Works Cycles": [
        ("Ms.", "Camille", "Laurent", "Head of Partnerships", "camille.laurent", "Customer Event")
    ],
}

OPPORTUNITIES = [
    # account, name, stage, close in days, record type, products [(code, qty)], primary contact last name, role
    (
        "Northwind Traders",
        "Northwind - 150 seats renewal",
        "Negotiation/Review",
        20,
        "Enterprise",
        [("CRM-ENT", 150), ("SUP-PREM", 1)],
        "Davolio",
        "Economic Buyer",
    ),
    (
        "Northwind Traders",
        "Northwind - Marketing add-on",
        "Proposal/Price Quote",
        60,
        "SMB",
        [("MKT-ADD", 1)],
        "Fuller",
        "Technical Buyer",
    ),
    (
        "Contoso Pharmaceuticals",
        "Contoso - CRM rollout",
        "Needs Analysis",
        120,
        "Enterprise",
        [("CRM-ENT", 400), ("SVC-IMPL", 1), ("SVC-MIG", 1)],
        "Brunner",
        "Decision Maker",
    ),
    (
        "Fabrikam Logistics",
        "Fabrikam - Support upgrade",
        "Closed Won",
        -10,
        "SMB",
        [("SUP-PREM", 1)],
        "de Vries",
        "Decision Maker",
    ),
    (
        "Tailspin Energy",
        "Tailspin - Pilot",
        "Closed Lost",
        -30,
        "SMB",
        [("CRM-PRO", 10)],
        "McLeod",
        "Economic Decision Maker",
    ),
    (
        "Adventure Works Cycles",
        "Adventure Works - Partner sandbox",
        "Qualification",
        45,
        "SMB",
        [("ENV-SBX", 1), ("SVC-TRN", 2)],
        "Laurent",
        "Influencer",
    ),
]

SMB_STAGES = ["Prospecting", "Qualification", "Proposal/Price Quote", "Negotiation/Review", "Closed Won", "Closed Lost"]


def _record_types(admin) -> dict[str, RecordType]:
    stages = PicklistValue.objects.filter(object_name="opportunity", field_name="stage")
    types = {}
    for name, description, values in (
        ("Enterprise", "Large deals with the full sales process.", []),
        ("SMB", "Small and mid-size deals: a short sales process.", list(stages.filter(api_name__in=SMB_STAGES))),
    ):
        existing = RecordType.objects.filter(object_name="opportunity", name=name).first()
        types[name] = existing or record_type_create(
            object_name="opportunity", name=name, description=description, picklist_values=values, acting_user=admin
        )
    return types


def seed(*, users: dict) -> None:
    admin = users["marketing"]
    for name, code, price, description in PRODUCTS:
        if not Product.objects.filter(product_code=code).exists():
            product_create(
                data={"name": name, "product_code": code, "list_price": price, "description": description},
                acting_user=admin,
            )
    types = _record_types(admin)
    record_type_default_set(
        object_name="opportunity",
        record_type=types["SMB"],
        group=Group.objects.get(name=SALES_REP),
        acting_user=admin,
    )
    record_type_default_set(
        object_name="opportunity", record_type=types["Enterprise"], user=users["rep"], acting_user=admin
    )
    if Account.objects.filter(name=ACCOUNTS[0][0]).exists():
        return  # the records are there already
    accounts = {}
    for name, website, industry, kind, rating, city, country, revenue, employees, owner in ACCOUNTS:
        accounts[name] = account_create(
            data={
                "name": name,
                "website": website,
                "industry": industry,
                "type": kind,
                "rating": rating,
                "billing_city": city,
                "billing_country": country,
                "annual_revenue": Decimal(revenue),
                "number_of_employees": employees,
                "phone": "+1 555 0100",
            },
            owner=users[owner],
            acting_user=users[owner],
        )
    contacts = {}
    for account_name, people in CONTACTS.items():
        account = accounts[account_name]
        domain = account.website_domain
        for salutation, first, last, title, local, source in people:
            contacts[last] = contact_create(
                data={
                    "salutation": salutation,
                    "first_name": first,
                    "last_name": last,
                    "title": title,
                    "email": f"{local}@{domain}",
                    "lead_source": source,
                    "mailing_city": account.billing_city,
                    "mailing_country": account.billing_country,
                },
                account=account,
                owner=account.owner,
                acting_user=account.owner,
            )
    products = {p.product_code: p for p in Product.objects.all()}
    today = timezone.localdate()
    for account_name, name, stage, days, type_name, items, contact_last, role in OPPORTUNITIES:
        account = accounts[account_name]
        opportunity = opportunity_create(
            data={
                "name": name,
                "stage": stage,
                "close_date": today + dt.timedelta(days=days),
                "lead_source": "Website",
            },
            account=account,
            owner=account.owner,
            record_type=types[type_name],
            acting_user=account.owner,
        )
        for code, quantity in items:
            opportunity_line_item_add(
                opportunity=opportunity, product=products[code], quantity=quantity, acting_user=account.owner
            )
        opportunity_contact_role_add(
            opportunity=opportunity,
            contact=contacts[contact_last],
            role=role,
            is_primary=True,
            acting_user=account.owner,
        )
