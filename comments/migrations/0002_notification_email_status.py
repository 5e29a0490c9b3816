# Notification emails move out of the request into a task, which records how each one went.
#
# The notifications already there had their email sent (or not) in the request that made them,
# before anything was recorded: they are marked "skipped", so that nothing waits for them and
# nothing sends them again. New ones start "queued".

from django.db import migrations, models

STATUSES = [
    ("queued", "waiting to be sent"),
    ("sent", "sent"),
    ("skipped", "not sent: not wanted or no longer shown"),
    ("failed", "failed: given up after the last try"),
]


class Migration(migrations.Migration):

    dependencies = [
        ("comments", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="email_status",
            # Fills the existing rows; the default for new rows follows.
            field=models.CharField(
                choices=STATUSES, default="skipped", max_length=10, verbose_name="email status"
            ),
        ),
        migrations.AlterField(
            model_name="notification",
            name="email_status",
            field=models.CharField(
                choices=STATUSES, default="queued", max_length=10, verbose_name="email status"
            ),
        ),
        migrations.AddField(
            model_name="notification",
            name="emailed_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="emailed at"),
        ),
        migrations.AddField(
            model_name="notification",
            name="email_attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="email attempts"),
        ),
        migrations.AddField(
            model_name="notification",
            name="email_error",
            field=models.TextField(blank=True, verbose_name="last email error"),
        ),
    ]
