"""factory_boy factories. Leads are built directly (fast set-up); tests of writes use services."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from leads.models import Lead, LeadNote, Queue
from leads.ownership import owner_sort_name

PASSWORD = "demo-pass-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create and extracted:
            from core.roles import ensure_roles

            if not Group.objects.filter(name=extracted).exists():
                ensure_roles()
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


class QueueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Queue
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Queue {n}")
    email = factory.LazyAttribute(lambda o: f"{o.name.lower().replace(' ', '-')}@example.com")


class LeadFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lead

    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    company = factory.Faker("company")
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())
    status = "New"
    lead_source = "Website"
    owner_user = factory.SubFactory(UserFactory, role="Sales rep")
    owner_queue = None
    owner_assigned_at = factory.LazyFunction(timezone.now)
    owner_sort_name = factory.LazyAttribute(lambda o: owner_sort_name(o.owner_user or o.owner_queue))
    created_at = factory.LazyFunction(timezone.now)
    last_modified_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("owner_user")
    last_modified_by = factory.SelfAttribute("owner_user")


class LeadNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadNote

    lead = factory.SubFactory(LeadFactory)
    body = factory.Faker("sentence")
    created_at = factory.LazyFunction(timezone.now)


# Sales -------------------------------------------------------------------------------------------


def _in_a_month():
    import datetime as dt

    return timezone.localdate() + dt.timedelta(days=30)


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Product"

    name = factory.Sequence(lambda n: f"Product {n}")
    product_code = factory.Sequence(lambda n: f"P-{n:04d}")
    list_price = 100


class AccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Account"

    name = factory.Faker("company")
    owner = factory.SubFactory(UserFactory, role="Sales rep")
    created_at = factory.LazyFunction(timezone.now)
    last_modified_at = factory.LazyFunction(timezone.now)
    created_by = factory.SelfAttribute("owner")
    last_modified_by = factory.SelfAttribute("owner")


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Contact"

    account = factory.SubFactory(AccountFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())
    owner = factory.SelfAttribute("account.owner")
    created_at = factory.LazyFunction(timezone.now)
    last_modified_at = factory.LazyFunction(timezone.now)


class OpportunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "sales.Opportunity"

    account = factory.SubFactory(AccountFactory)
    name = factory.Sequence(lambda n: f"Deal {n}")
    stage = "Prospecting"
    probability = 10
    close_date = factory.LazyFunction(_in_a_month)
    owner = factory.SelfAttribute("account.owner")
    created_at = factory.LazyFunction(timezone.now)
    last_modified_at = factory.LazyFunction(timezone.now)
