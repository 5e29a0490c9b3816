import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model

from progress.models import LearnerProfile

pytestmark = pytest.mark.django_db


def test_export_is_a_json_download_of_the_learners_own_data(client, learner, django_user_model):
    django_user_model.objects.create_user(
        username="other", email="other@example.com", password="x-pass-1234"
    )
    client.force_login(learner)
    response = client.get("/accounts/export/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith('attachment; filename="stream-my-data-')
    data = json.loads(response.content)
    assert data["profile"]["display_name"] == "Mina"
    assert data["profile"]["time_zone"] == "Asia/Seoul"
    assert data["account"]["email_addresses"] == [
        {"email": "mina@example.com", "verified": True, "primary": True}
    ]
    assert "other@example.com" not in response.content.decode()


def test_delete_needs_the_right_password(client, learner):
    client.force_login(learner)
    response = client.post("/accounts/delete/", {"password": "wrong"})
    assert response.status_code == 200
    assert "That password is not right." in response.content.decode()
    assert get_user_model().objects.filter(pk=learner.pk).exists()


def test_delete_removes_account_and_personal_data_and_signs_out(client, learner):
    client.force_login(learner)
    response = client.post("/accounts/delete/", {"password": "learner-pass-42"}, follow=True)
    assert response.redirect_chain[-1][0] == "/"
    assert "Your account and personal data have been deleted." in response.content.decode()
    assert not get_user_model().objects.filter(pk=learner.pk).exists()
    assert not LearnerProfile.objects.filter(user_id=learner.pk).exists()
    assert not EmailAddress.objects.filter(email="mina@example.com").exists()
    assert "_auth_user_id" not in client.session
