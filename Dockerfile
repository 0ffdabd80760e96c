# One image for web (gunicorn), worker and beat (celery).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      fonts-liberation2 fontconfig libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b \
      poppler-utils curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
# Static files and translations are built into the image; production settings
# only differ by environment (see README, "Configuration").
RUN DEBUG=false SECRET_KEY=build-only ALLOWED_HOSTS=build python manage.py collectstatic --noinput \
 && python manage.py compile_translations \
 && useradd --system --uid 1000 --home /app thidua \
 && mkdir -p /data/media && chown -R thidua /data/media
USER thidua
EXPOSE 8000
CMD ["gunicorn", "emulation.wsgi:application", "--config", "deploy/gunicorn.conf.py"]
