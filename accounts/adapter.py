from allauth.account.adapter import DefaultAccountAdapter
from django.http import HttpRequest

from lessons.clients import client_address


class AccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        # allauth's sign-in and sign-up limits count per real client, read exactly as Stream's
        # own limits read it (TRUSTED_PROXY_COUNT), so the two can never disagree.
        return client_address(request)
