# The Sigap image: the embedded server (`sigap serve`) or one subgraph (`sigap serve --subgraph NAME`).
FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY models models
COPY resolvers resolvers
COPY schema schema
COPY realtime realtime
COPY server server
COPY federation federation
RUN pip install --no-cache-dir ".[s3]"
RUN useradd --system sigap
USER sigap
EXPOSE 8000
CMD ["sigap", "serve"]
