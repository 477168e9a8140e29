# Image for web, worker and beat (docker-compose.yml). No system GDAL needed: geometry work uses
# shapely/pyogrio wheels, which ship their own libraries.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cnam_territoires ./cnam_territoires
COPY diagnostics ./diagnostics
COPY implantations ./implantations
COPY catalogue ./catalogue
RUN pip install .
COPY . .
RUN DJANGO_DEMO=true python manage.py collectstatic --noinput
RUN useradd --create-home app && mkdir -p /app/var && chown -R app /app/var
USER app
EXPOSE 8000
# Workers, threads, timeouts: gunicorn.conf.py (each value changeable by the environment).
CMD ["gunicorn", "-c", "gunicorn.conf.py", "cnam_territoires.wsgi:application"]
