from django.conf import settings


class VietnameseFirstMiddleware:
    """Ignore the browser's Accept-Language: Vietnamese unless the user picks English.

    Many office PCs run an English browser; the language switcher's cookie still wins.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.LANGUAGE_COOKIE_NAME not in request.COOKIES:
            request.META.pop("HTTP_ACCEPT_LANGUAGE", None)
        return self.get_response(request)
