FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml setup.py README.md ./
COPY server ./server
COPY schema ./schema
COPY domain ./domain
COPY migrations ./migrations
COPY seeds ./seeds
COPY kyodo ./kyodo
# Installed as a package (not -e): the migrations, seed files and GraphiQL's files
# (pinned, hash-checked; fetched by setup.py at build time, see server/graphiql_assets.py)
# come with it, so the running container needs neither the sources nor the internet.
# `docker build --build-arg EXTRAS=otel` adds OpenTelemetry tracing (server/tracing.py).
ARG EXTRAS=""
RUN pip install ".${EXTRAS:+[$EXTRAS]}" && rm -rf /src
COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh

# Not root: the service's own user, owning only its working folder (a SQLite
# database, when DATABASE_URL is not PostgreSQL, is written there).
RUN useradd --system --create-home --home-dir /var/lib/kyodo --uid 10001 kyodo
USER kyodo
WORKDIR /var/lib/kyodo
ENV KYODO_HOST=0.0.0.0 KYODO_PORT=8000
EXPOSE 8000

# Ready = the database answers and is migrated to this image's head (/readyz).
# Python's urllib: the slim image has no curl.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('KYODO_PORT', '8000'), timeout=2)"]

# The entrypoint migrates, seeds an empty database, then `exec`s `kyodo serve`: the
# server becomes PID 1 and receives SIGTERM itself (docker stop: graceful shutdown).
ENTRYPOINT ["docker-entrypoint.sh"]
CMD ["kyodo", "serve"]
