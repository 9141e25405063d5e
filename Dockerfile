# One image for web, worker and beat; docker-compose.yml chooses the command.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=kpi_portal.settings.production
RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext libpango-1.0-0 libpangoft2-1.0-0 \
      libharfbuzz-subset0 fonts-liberation2 fonts-noto-core postgresql-client \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY pyproject.toml ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only-not-secret-build-only-not-secret-build-only-not-secret \
    DATABASE_URL=postgres://build@localhost/build ALLOWED_HOSTS=build \
    python manage.py collectstatic --noinput \
 && python manage.py compilemessages --ignore=.venv -v0
RUN useradd --system --uid 1000 kpi && mkdir -p /app/var/media && chown -R kpi /app/var
USER kpi
EXPOSE 8000
CMD ["gunicorn", "kpi_portal.wsgi:application", "--config", "kpi_portal/gunicorn.conf.py"]
