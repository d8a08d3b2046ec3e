# The Sigap image: the embedded server (`sigap serve`) or one subgraph (`sigap serve --subgraph NAME`).
FROM python:3.12-slim
WORKDIR /app
COPY requirements/serve.txt requirements/serve.txt
# The versions CI tested (requirements/serve.txt, with hashes), then Sigap itself without resolving again.
RUN pip install --no-cache-dir --require-hashes -r requirements/serve.txt
COPY pyproject.toml README.md ./
COPY models models
COPY resolvers resolvers
COPY schema schema
COPY realtime realtime
COPY server server
COPY federation federation
RUN pip install --no-cache-dir --no-deps .
# A non-root user that owns only its data directory (the embedded default's SQLite file and local
# photos; the federated shape keeps photos in the photos service and data in PostgreSQL).
RUN useradd --system --home-dir /app sigap && mkdir -p /app/data/photos && chown -R sigap /app/data
ENV PHOTO_DIR=/app/data/photos
VOLUME ["/app/data"]
USER sigap
EXPOSE 8000
CMD ["sigap", "serve"]
