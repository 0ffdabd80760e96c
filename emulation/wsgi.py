import os

from django.core.wsgi import get_wsgi_application

from core.wsgi import complete_bodies

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emulation.settings")
application = complete_bodies(get_wsgi_application())
