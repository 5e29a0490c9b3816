"""What the discussion does outside the request, as tasks (django-tasks; lessons/settings.py
TASKS): with the database backend, `manage.py db_worker` runs them.

A task's arguments are stored as JSON until a worker takes it, so they are ids, and the task
reads the rows as they are when it runs. The work itself is in services.
"""

from __future__ import annotations

from django_tasks import task


@task()
def notification_email_task(notification_id: int) -> str | None:
    """Email one notification: queued by services._notify, and again after a failed send."""
    # Imported here: services queues this task.
    from comments.notifications import notification_email_send

    status = notification_email_send(notification_id=notification_id)
    # The outcome, readable in the task's result: plain text, not the enum, as JSON keeps it.
    return None if status is None else str(status)
