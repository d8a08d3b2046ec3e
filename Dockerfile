FROM python:3.12-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY models models
COPY resolvers resolvers
COPY schema schema
COPY realtime realtime
COPY server server
RUN pip install --no-cache-dir .
RUN useradd --system sigap
USER sigap
EXPOSE 8000
CMD ["sigap", "serve"]
