from django.conf import settings

from .nav import nav_for


def portal(request):
    user = getattr(request, "user", None)
    return {
        "nav_items": nav_for(user) if user is not None and user.is_authenticated else [],
        "site_url": settings.SITE_URL,
    }
