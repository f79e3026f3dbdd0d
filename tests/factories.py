"""Factories for test data. Dealer-owned rows are created with their dealer given explicitly."""

import datetime

import factory
import pyotp
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings

from accounts.mfa import mfa_enabled, mfa_required
from accounts.models import User
from customers.models import Customer, Vehicle
from dealer_portal.tenancy.models import Dealer, Membership, Network, Region


class NetworkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Network

    slug = factory.Sequence(lambda n: f"network-{n}")
    name = factory.Sequence(lambda n: f"Network {n}")
    time_zone = "America/Mexico_City"


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    network = factory.SubFactory(NetworkFactory)
    code = factory.Sequence(lambda n: f"R{n:03d}")
    name = factory.Sequence(lambda n: f"Region {n}")


class DealerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Dealer

    region = factory.SubFactory(RegionFactory)
    network = factory.SelfAttribute("region.network")
    code = factory.Sequence(lambda n: f"D{n:04d}")
    name = factory.Sequence(lambda n: f"Dealer {n}")
    city = "Monterrey"
    time_zone = "America/Monterrey"
    # Calls may be made at any hour in tests, so the time of day a test runs never matters;
    # test_calls_are_offered_only_within_calling_hours sets real hours.
    calling_from = datetime.time(0, 0)
    calling_until = datetime.time(23, 59, 59)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", settings.DEMO_PASSWORD)

    @factory.post_generation
    def save_password(self, create, extracted, **kwargs):
        if create:
            self.save()

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """A superuser or staff member has an authenticator app (TOTP_SECRET), as they must; ``second_factor=False``
        leaves them without one."""
        if create and extracted is not False and (self.is_superuser or self.is_staff) and not mfa_enabled(self):
            totp_enrol(self)


# The authenticator-app secret every test user enrolled by ``totp_enrol`` shares (base32, as an app is given it).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def totp_enrol(user, secret: str = TOTP_SECRET) -> Authenticator:
    """Give ``user`` an authenticator app (TOTP) with ``secret``, as allauth's set-up page would."""
    return TOTP.activate(user, secret).instance


def totp_code(secret: str = TOTP_SECRET, *, periods_ahead: int = 0) -> str:
    """The code an authenticator app with ``secret`` shows now (or that many 30-second periods later: each code
    is accepted once, and one period either side of now is accepted)."""
    totp = pyotp.TOTP(secret)
    return totp.at(datetime.datetime.now(tz=datetime.UTC), counter_offset=periods_ahead)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    network = factory.LazyAttribute(lambda m: m.dealer.network if m.dealer else m.region.network)
    dealer = None
    region = None
    department = ""

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Someone whose role (or network) requires a second factor has an authenticator app (TOTP_SECRET);
        ``second_factor=False`` leaves them without one."""
        if create and extracted is not False and mfa_required(self.user) and not mfa_enabled(self.user):
            totp_enrol(self.user)


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    dealer = factory.SubFactory(DealerFactory)
    name = factory.Faker("name")
    phone = factory.Sequence(lambda n: f"+5281{n:08d}")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")


class VehicleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Vehicle

    customer = factory.SubFactory(CustomerFactory)
    dealer = factory.SelfAttribute("customer.dealer")
    vin = factory.Sequence(lambda n: f"3AUXY2K70PN{n:06d}")
    plate = factory.Sequence(lambda n: f"ABC{n:04d}")
    make = "Aurora"
    model = "Lince"
