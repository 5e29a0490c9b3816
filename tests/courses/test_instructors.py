import io

import pytest
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.urls import reverse

from courses.models import Lesson
from courses.services import INSTRUCTOR_GROUP, instructor_group_sync, instructor_permissions
from tests.courses.conftest import lesson_form_data

pytestmark = pytest.mark.django_db


def group_permissions() -> set[str]:
    group = Group.objects.get(name=INSTRUCTOR_GROUP)
    return {
        f"{p.content_type.app_label}.{p.codename}"
        for p in group.permissions.select_related("content_type")
    }


def test_migrate_creates_the_instructor_group_with_course_and_comment_permissions():
    granted = group_permissions()
    assert {"courses.change_lesson", "courses.add_lesson", "courses.change_course"} <= granted
    assert {"comments.change_bugreport", "comments.change_comment"} <= granted
    assert not any(p.startswith("auth.") for p in granted)
    assert "courses.delete_lesson" not in granted


def test_setup_roles_is_idempotent_and_restores_exactly_the_listed_permissions(django_user_model):
    wanted = group_permissions()
    group = Group.objects.get(name=INSTRUCTOR_GROUP)
    group.permissions.add(*Permission.objects.filter(codename="delete_user"))
    call_command("setup_roles", stdout=io.StringIO())
    call_command("setup_roles", stdout=io.StringIO())
    assert Group.objects.filter(name=INSTRUCTOR_GROUP).count() == 1
    assert group_permissions() == wanted
    listed = {f"{app}.{code}" for app, codes in instructor_permissions().items() for code in codes}
    assert wanted <= listed


def test_setup_roles_makes_a_user_an_instructor(django_user_model):
    user = django_user_model.objects.create_user(username="ha", email="ha@example.com")
    call_command("setup_roles", "--instructor", "ha@example.com", stdout=io.StringIO())
    user.refresh_from_db()
    assert user.is_staff
    assert user.groups.filter(name=INSTRUCTOR_GROUP).exists()


def test_instructor_can_edit_a_lesson(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    url = reverse("admin:courses_lesson_change", args=[lesson.pk])
    assert instructor_client.get(url).status_code == 200
    response = instructor_client.post(url, lesson_form_data(lesson, title="Edited by Ines"))
    assert response.status_code == 302, response.context["adminform"].form.errors
    lesson.refresh_from_db()
    assert lesson.title == "Edited by Ines"
    assert lesson.edited_by.username == "ines"


@pytest.mark.parametrize(
    "url",
    [
        "admin:auth_user_changelist",
        "admin:auth_group_changelist",
    ],
)
def test_instructor_cannot_manage_users_or_groups(instructor_client, url):
    assert instructor_client.get(reverse(url)).status_code == 403


def test_instructor_cannot_delete_lessons(instructor_client, course_tree):
    lesson = Lesson.objects.get(slug="first")
    response = instructor_client.get(reverse("admin:courses_lesson_delete", args=[lesson.pk]))
    assert response.status_code == 403


def test_instructor_may_triage_bug_reports_and_moderate_comments(instructor):
    assert instructor.has_perm("comments.change_bugreport")
    assert instructor.has_perm("comments.change_comment")
    assert not instructor.has_perm("comments.delete_comment")
    assert not instructor.has_perm("auth.change_user")


def test_group_sync_skips_models_that_do_not_exist_yet(monkeypatch):
    monkeypatch.setattr(
        apps.get_app_config("comments"), "instructor_permissions", ["view_nosuchmodel"]
    )
    group = instructor_group_sync()
    assert not group.permissions.filter(content_type__app_label="comments").exists()
