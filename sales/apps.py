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
