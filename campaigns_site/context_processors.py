from django.conf import settings


def site(request):
    return {"local_mode": not settings.PRODUCTION}
