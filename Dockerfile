FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN useradd --create-home --uid 1000 portal
COPY . .
# The same script CI runs (bin/smoke): pip install . and collectstatic with production settings.
RUN bin/build
USER portal
EXPOSE 8000
# Compose's web command, word for word (tests/test_production_path.py keeps them equal).
CMD ["gunicorn", "dealer_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
