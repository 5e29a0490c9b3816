from django.urls import path

from comments import views

app_name = "comments"

lesson = "courses/<slug:course_slug>/<slug:lesson_slug>"

urlpatterns = [
    # Beside a lesson's own address (courses:lesson-detail), never on it.
    path(f"{lesson}/comments/", views.comment_create, name="post"),
    path(
        f"{lesson}/comments/notifications/",
        views.thread_notifications,
        name="thread-notifications",
    ),
    # Older pages of a long thread (the lesson page shows the newest).
    path(f"{lesson}/comments/page/<int:page>/", views.thread_page, name="thread-page"),
    path(f"{lesson}/report/", views.report_create, name="report"),
    # A comment's own page, with its whole thread and the reply form, and its flag form: the
    # links every comment of a thread carries ("Reply", "Flag"), so their addresses are short.
    path("c/<int:pk>/", views.comment_detail, name="comment"),
    path("c/<int:pk>/flag/", views.comment_flag_create, name="flag"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="reply"),
    path("comments/<int:pk>/edit/", views.comment_update, name="edit"),
    path("comments/<int:pk>/delete/", views.comment_remove, name="delete"),
    # By comment: the cached thread links to it without knowing who flagged what.
    path(
        "comments/<int:pk>/flag/withdraw/",
        views.comment_flag_withdraw_confirm,
        name="flag-withdraw-confirm",
    ),
    path("comments/flags/<int:pk>/withdraw/", views.comment_flag_withdraw, name="flag-withdraw"),
    path("notifications/", views.NotificationListView.as_view(), name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications-read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification-open"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
