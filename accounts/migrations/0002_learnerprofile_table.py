# The profile's table takes accounts' name; its rows, ids and the content type (with the
# permissions and admin history that point at it) come along.

from django.db import migrations


def content_type_to(app_label: str, from_label: str):
    def move(apps, schema_editor) -> None:
        content_types = apps.get_model("contenttypes", "ContentType").objects
        if content_types.filter(app_label=app_label, model="learnerprofile").exists():
            content_types.filter(app_label=from_label, model="learnerprofile").delete()
        else:
            content_types.filter(app_label=from_label, model="learnerprofile").update(
                app_label=app_label
            )

    return move


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0001_initial"),
        ("progress", "0003_learnerprofile_moves_to_accounts"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.AlterModelTable(name="learnerprofile", table=None),
        migrations.RunPython(
            content_type_to("accounts", "progress"), content_type_to("progress", "accounts")
        ),
    ]
