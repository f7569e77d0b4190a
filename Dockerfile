# Production image: the service binary plus LibreOffice Writer and the fonts reports need.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked --bin webhook-service

FROM debian:bookworm-slim
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      ca-certificates libreoffice-writer-nogui \
      fonts-crosextra-carlito fonts-crosextra-caladea fonts-liberation fonts-dejavu-core fonts-noto-color-emoji \
 && rm -rf /var/lib/apt/lists/*
RUN useradd --system --create-home --home-dir /app app
WORKDIR /app
COPY --from=build /src/target/release/webhook-service /usr/local/bin/webhook-service
# Defaults for local storage; in production the template and banks live in the bucket.
COPY --chown=app templates ./templates
COPY --chown=app data/responses/questions ./data/responses/questions
COPY --chown=app test_data.json ./
USER app
ENV DATA_DIR=/app PORT=8080
EXPOSE 8080
CMD ["webhook-service", "serve"]
