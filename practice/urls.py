from django.urls import path

from practice import views

app_name = "practice"

urlpatterns = [
    path("practice/checks/<int:check_id>/", views.check_answer_view, name="check-answer"),
    path("practice/merge/", views.practice_merge_view, name="merge"),
    path("practice/exercises/<int:lesson_id>/", views.exercise_view, name="exercise"),
]
