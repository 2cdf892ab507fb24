FROM python:3.11-slim AS test
WORKDIR /app
COPY . .
# ruleid: guard.dockerfile.runs-as-root
CMD ["python", "-m", "pytest"]

FROM python:3.11-slim AS runtime
WORKDIR /app
COPY . .
RUN useradd --system --uid 10001 app
USER app
# ok: guard.dockerfile.runs-as-root
CMD ["python", "-m", "shop.app"]
