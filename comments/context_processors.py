from django.http import HttpRequest


def notifications(request: HttpRequest) -> dict:
    return {}
