FROM python:3.11-slim

# ruleid: guard.dockerfile.secret-in-env
ENV DB_PASSWORD=Sup3rS3cret!
# ok: guard.dockerfile.secret-in-env
ENV APP_HOME=/app

# ruleid: guard.dockerfile.curl-pipe-shell
RUN curl -fsSL https://get.example.com/install.sh | sh
# ok: guard.dockerfile.curl-pipe-shell
RUN curl -fsSLo /tmp/install.sh https://get.example.com/install.sh && sha256sum -c /tmp/install.sha256

# ruleid: guard.dockerfile.add-remote-url
ADD https://downloads.example.com/assets.tar.gz /opt/assets.tar.gz
# ok: guard.dockerfile.add-remote-url
ADD assets.tar.gz /opt/

# ok: guard.dockerfile.secret-in-env
ARG NPM_TOKEN
# ok: guard.dockerfile.secret-in-env
ENV API_KEY_FILE=$API_KEY_FILE
