# zhucun, production image: gunicorn for the pages and API, the same image for
# the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=zhucun.settings \
    ZHUCUN_VAR_DIR=/var/lib/zhucun

WORKDIR /app

# The dependencies first, from pyproject.toml alone, so this layer is reused
# until they change. (pyproject declares packages = []: the code is run from
# /app, pip installs only the dependencies.)
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY . .

# Static files are collected into the image (served by WhiteNoise); only
# uploaded and exported files live in the media volume. The key below exists
# for this build step only: settings need one to load.
RUN groupadd --system zhucun \
    && useradd --system --gid zhucun --home-dir /app --no-create-home zhucun \
    && mkdir -p /var/lib/zhucun/media \
    && DEBUG=0 SECRET_KEY=build-time-only-collectstatic \
       python manage.py collectstatic --noinput --verbosity 0 \
    && chown -R zhucun:zhucun /var/lib/zhucun

USER zhucun
EXPOSE 8000

CMD ["gunicorn", "zhucun.wsgi", "--bind", "0.0.0.0:8000", "--workers", "4", \
     "--access-logfile", "-"]
