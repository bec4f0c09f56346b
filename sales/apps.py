from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from core.registry import ObjectSpec, register_object
        from core.roles import MARKETING_ADMIN, SALES_REP, grant

        from .fields import ACCOUNT, CONTACT, OPPORTUNITY, PICKLIST_FIELDS
        from .models import Account, Contact, Opportunity

        for name, label, model in (
            (ACCOUNT, "Account", Account),
            (CONTACT, "Contact", Contact),
            (OPPORTUNITY, "Opportunity", Opportunity),
        ):
            register_object(
                ObjectSpec(name=name, label=label, model=model, picklist_fields={f: f for f in PICKLIST_FIELDS[name]})
            )
        from core.registry import RecycleSpec, register_recyclable

        from . import services

        for name, label, icon, restore in (
            (ACCOUNT, "Account", "building", services.account_restore),
            (CONTACT, "Contact", "person-vcard", services.contact_restore),
            (OPPORTUNITY, "Opportunity", "trophy", services.opportunity_restore),
        ):
            register_recyclable(
                RecycleSpec(
                    name=name,
                    label=label,
                    icon=icon,
                    restore=restore,
                    detail_url=f"sales:{name}_detail",
                    delete_permission=f"sales.delete_{name}",
                )
            )
        record_perms = [
            f"sales.{action}_{model}"
            for model in ("account", "contact", "opportunity", "opportunitylineitem", "opportunitycontactrole")
            for action in ("view", "add", "change")
        ] + [f"sales.delete_{model}" for model in ("account", "contact", "opportunity")]
        grant(SALES_REP, *record_perms, "sales.view_product", "sales.view_recordtype")
        grant(
            MARKETING_ADMIN,
            *record_perms,
            *[
                f"sales.{a}_{m}"
                for m in ("product", "recordtype", "recordtypedefault")
                for a in ("view", "add", "change")
            ],
        )
        _register_search()


def _register_search() -> None:
    from django.utils.translation import gettext_lazy as _

    from core.registry import SearchSpec, register_searchable

    from . import selectors
    from .fields import ACCOUNT, CONTACT, OPPORTUNITY

    def joined(*parts) -> str:
        return " · ".join(p for p in parts if p)

    register_searchable(
        SearchSpec(
            object_name=CONTACT,
            label=_("Contacts"),
            queryset_for_user=selectors.contacts_visible_to,
            fields=("first_name", "last_name", "account__name"),
            email_fields=("email",),
            phone_fields=("phone",),
            full_name=("first_name", "last_name"),
            url="sales:contact_detail",
            list_url="sales:contact_list",
            title=lambda c: " ".join(p for p in (c.first_name, c.last_name) if p),
            subtitle=lambda c: joined(c.account.name if c.account_id else "", c.email),
            icon="person-vcard",
            order=20,
        )
    )
    register_searchable(
        SearchSpec(
            object_name=ACCOUNT,
            label=_("Accounts"),
            queryset_for_user=selectors.accounts_visible_to,
            fields=("name",),
            word_fields=("name",),
            phone_fields=("phone",),
            url="sales:account_detail",
            list_url="sales:account_list",
            title=lambda a: a.name,
            subtitle=lambda a: joined(a.billing_city, a.phone),
            icon="building",
            order=30,
        )
    )
    register_searchable(
        SearchSpec(
            object_name=OPPORTUNITY,
            label=_("Opportunities"),
            queryset_for_user=selectors.opportunities_visible_to,
            fields=("name", "account__name"),
            word_fields=("name",),
            url="sales:opportunity_detail",
            list_url="sales:opportunity_list",
            title=lambda o: o.name,
            subtitle=lambda o: o.account.name,
            icon="trophy",
            order=40,
        )
    )
