FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
RUN useradd --create-home --uid 1000 portal
COPY . .
RUN pip install --no-cache-dir .
RUN DJANGO_DEBUG=false DJANGO_SECRET_KEY=build-only-collectstatic-key-not-used-at-run-time-0123456789 \
    python manage.py collectstatic --noinput
USER portal
EXPOSE 8000
CMD ["gunicorn", "dealer_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
