"""Factories for the objects tests need; named personas live in conftest.py."""

from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment, Invitation, Programme, RaterGroup, Rating, Response
from assessments.services.programmes import nomination_rules_create_defaults


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"person{n}@example.nhs.uk")
    full_name = factory.Faker("name", locale="en_GB")
    password = factory.django.Password("correct horse battery staple")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Leadership cohort {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))
    closes_at = factory.LazyAttribute(lambda p: p.opens_at + timedelta(days=28))

    @factory.post_generation
    def rules(self, create, extracted, **kwargs):
        if create:
            nomination_rules_create_defaults(programme=self)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    programme = factory.SubFactory(ProgrammeFactory)
    leader = factory.SubFactory(UserFactory)


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    assessment = factory.SubFactory(AssessmentFactory)
    rater_group = RaterGroup.PEER
    name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"rater{n}@example.org")


class ResponseFactory(factory.django.DjangoModelFactory):
    """A sealed response. Pass ``values={statement: value_or_None}`` to add its ratings."""

    class Meta:
        model = Response
        skip_postgeneration_save = True

    assessment = factory.SubFactory(AssessmentFactory)
    rater_group = RaterGroup.PEER

    @factory.post_generation
    def self_submitted(self, create, extracted, **kwargs):
        """A self response stamps the leader's self-assessment day, as submitting does."""
        if create and self.rater_group == RaterGroup.SELF:
            Assessment.objects.filter(pk=self.assessment_id, self_submitted_on=None).update(
                self_submitted_on=timezone.localdate()
            )
            if self.assessment.self_submitted_on is None:  # the caller's copy too
                self.assessment.self_submitted_on = timezone.localdate()

    @factory.post_generation
    def values(self, create, extracted, **kwargs):
        if extracted:
            Rating.objects.bulk_create(
                [Rating(response=self, statement=s, value=v) for s, v in extracted.items()]
            )
