# The sandbox as a container; docker-compose.yml runs it on PostgreSQL 16.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 VNEID_HOST=0.0.0.0 VNEID_PORT=8000
WORKDIR /srv/vneid-sandbox

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY alembic ./alembic
COPY seed_data ./seed_data
RUN pip install --no-cache-dir -e . && useradd --system sandbox && mkdir -p var && chown sandbox var
USER sandbox

EXPOSE 8000
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
  CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"
CMD ["vneid-sandbox", "serve"]
