"""The quick start's demo (``load_demo``): Alex's debrief, and a submitted plan with three
goals, one with the facilitator's comment. Connected to ``demo_leader_released``."""

from datetime import timedelta

from django.utils import timezone

from framework.models import Quality

from .services import GoalInput, debrief_record, goal_comments_save, plan_save

GOALS = [
    (
        "Listen before I decide",
        "Ask each person in my team meetings for their view before I give mine.",
        "My line manager to observe two meetings.",
        "Peers and direct reports rate 'listens' higher at the next 360.",
        21,
    ),
    (
        "Share decisions with people who use our services",
        "Invite two patients to the service redesign group and act on what they say.",
        "Contacts in the patient participation group.",
        "Two changes made from their suggestions by the review date.",
        60,
    ),
    (
        "Build partnerships beyond my team",
        "Meet the social care lead monthly and agree one joint piece of work.",
        "An introduction from my director.",
        "A joint project agreed and started.",
        90,
    ),
]


def demo_debrief_and_plan(sender, *, assessment, facilitator, **kwargs) -> None:
    today = timezone.localdate()
    debrief_record(
        assessment=assessment,
        by=facilitator,
        held_on=today - timedelta(days=1),
        notes="Went through all four themes. Alex was surprised by the gap on listening and "
        "wants to work on it first.",
    )
    qualities = list(
        Quality.objects.filter(theme__framework=assessment.programme.framework).order_by(
            "theme__order", "order"
        )
    )
    picks = [qualities[0], qualities[len(qualities) // 2], qualities[-1]]
    plan = plan_save(
        assessment=assessment,
        goals=[
            GoalInput(
                quality=quality,
                goal=goal,
                actions=actions,
                support=support,
                success_measure=measure,
                review_on=today + timedelta(days=days),
            )
            for quality, (goal, actions, support, measure, days) in zip(picks, GOALS, strict=True)
        ],
        submit=True,
    )
    first = plan.goals.get(position=1)
    goal_comments_save(
        plan=plan, comments={first.pk: "A good first goal. Keep a short log after each meeting."}
    )
