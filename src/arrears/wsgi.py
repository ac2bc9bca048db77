import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

from arrears.secret_key import refuse_to_serve

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "arrears.settings")
# Every server loads this module (runserver through WSGI_APPLICATION, gunicorn by name): none serves
# without a secret key of its own.
refuse_to_serve(settings)
application = get_wsgi_application()
