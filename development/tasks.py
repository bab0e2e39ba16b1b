from celery import shared_task

from .services import plan_review_reminders_send


@shared_task(name="development.tasks.send_plan_review_reminders")
def send_plan_review_reminders() -> int:
    return plan_review_reminders_send()
