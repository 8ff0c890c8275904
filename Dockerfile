FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml setup.py README.md alembic.ini ./
COPY server ./server
COPY schema ./schema
COPY domain ./domain
COPY migrations ./migrations
COPY seeds ./seeds
# Installed in place (-e): the CLI finds alembic.ini, migrations/ and the seed files
# beside the code, exactly as in a checkout.
RUN pip install --no-cache-dir -e .
# GraphiQL's files (pinned, hash-checked; see server/graphiql_assets.py), fetched at build
# time: the running container needs no internet access for GraphiQL.
RUN python -m server.graphiql_assets
EXPOSE 8000
# Migrations and the demo seed run before serving. Several instances may start at once:
# both take a PostgreSQL advisory lock, so the first does the work and the rest find it done.
CMD ["sh", "-c", "kyodo db upgrade && kyodo seed --if-empty && kyodo serve --host 0.0.0.0"]
