# ruleid: guard.dockerfile.unpinned-base-image
FROM python:latest AS build
RUN pip wheel -w /wheels flask

# ruleid: guard.dockerfile.unpinned-base-image
FROM ubuntu
RUN echo hi

# ok: guard.dockerfile.unpinned-base-image
FROM python:3.11.9-slim-bookworm
COPY --from=build /wheels /wheels

# ok: guard.dockerfile.unpinned-base-image
FROM build AS test
RUN echo test

# ok: guard.dockerfile.unpinned-base-image
FROM test as lint
RUN echo lint
