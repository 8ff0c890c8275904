FROM python:3.11-slim
WORKDIR /app
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
COPY pyproject.toml README.md alembic.ini ./
COPY server ./server
COPY schema ./schema
COPY domain ./domain
COPY migrations ./migrations
COPY seeds ./seeds
RUN pip install --no-cache-dir .
EXPOSE 8000
# Migrations run before serving; several instances may start at once: Alembic's version
# table update is transactional on PostgreSQL.
CMD ["sh", "-c", "kyodo db upgrade && kyodo seed --if-empty && kyodo serve --host 0.0.0.0"]
