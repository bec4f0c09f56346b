FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 leadcrm
COPY requirements.txt .
RUN pip install -r requirements.txt
COPY . .
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-runtime-0123456789 \
    python manage.py collectstatic --no-input -v0 && mkdir -p var/metrics && chown -R leadcrm /app
USER leadcrm
EXPOSE 8000
CMD ["gunicorn", "leadcrm.wsgi:application", "--bind", "0.0.0.0:8000", "--forwarded-allow-ips", "*"]
