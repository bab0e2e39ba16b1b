"""The plan review reminder, registered with the one email builder (``accounts.emails``).

The email names the goal's quality and review date, not what the leader wrote: an inbox
is less private than the plan's page."""

from datetime import date

from django.urls import reverse

from accounts.emails import MessageNotNeeded, message, site_link

from .models import Goal


@message("plan_review_reminder")
def plan_review_reminder(context):
    goal = (
        Goal.objects.select_related("plan__assessment__leader", "plan__assessment__programme")
        .select_related("quality")
        .filter(pk=context.get("goal_id"))
        .first()
    )
    if goal is None or goal.review_on is None:
        raise MessageNotNeeded("the goal was removed")
    if goal.review_on.isoformat() != context.get("review_on"):
        raise MessageNotNeeded("the review date has changed")
    assessment = goal.plan.assessment
    if not assessment.leader.is_active:
        raise MessageNotNeeded("the leader's account is inactive")
    review_on: date = goal.review_on
    return {
        "leader": assessment.leader,
        "programme": assessment.programme,
        "position": goal.position,
        "quality": goal.quality.name if goal.quality else "",
        "review_on": f"{review_on.day} {review_on:%B %Y}",
        "link": site_link(reverse("development:leader_plan", args=[assessment.pk])),
    }
