# Production image: the service's stripped binary, LibreOffice Writer and the report fonts
# (installed by scripts/install-runtime.sh, the script CI's machines run too), a non-root user
# and tini as PID 1. Expected size: ~470 MB uncompressed (bookworm-slim 75 MB, the runtime
# packages ~370 MB, mostly LibreOffice, the binary ~26 MB), ~170 MB compressed.
# deploy/README.md shows the whole Cloud Run path; scripts/test.sh's "image" phase tests this
# runtime on the CI machine.

# --- build -----------------------------------------------------------------------------------
# cargo-chef: the dependencies are compiled in a layer of their own, keyed by the manifests
# and Cargo.lock only, so a change to the sources rebuilds the service and nothing else.
FROM rust:1.95-bookworm AS chef
RUN cargo install cargo-chef --locked --version ^0.1
WORKDIR /src

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS build
COPY --from=planner /src/recipe.json recipe.json
RUN cargo chef cook --profile dist --locked --recipe-path recipe.json --bin webhook-service
COPY . .
# The `dist` profile (Cargo.toml): release code, no line tables, symbols stripped.
RUN cargo build --profile dist --locked --bin webhook-service

# --- runtime ---------------------------------------------------------------------------------
FROM debian:bookworm-slim AS runtime
COPY scripts/install-runtime.sh /tmp/install-runtime.sh
RUN /tmp/install-runtime.sh --clean && rm /tmp/install-runtime.sh
# LibreOffice writes its user profile under $HOME: the user needs a home of its own.
RUN useradd --system --uid 10001 --create-home --home-dir /app app
WORKDIR /app
COPY --from=build /src/target/dist/webhook-service /usr/local/bin/webhook-service
# Defaults for local storage; in production the profiles, banks and templates live in the bucket.
COPY --chown=app templates ./templates
COPY --chown=app data/responses/questions ./data/responses/questions
COPY --chown=app test_data.json ./
USER app
ENV DATA_DIR=/app PORT=8080
EXPOSE 8080
# tini is PID 1: it forwards SIGTERM to the service (which drains its jobs) and reaps the
# LibreOffice processes the converter pool leaves behind when an instance is replaced.
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["webhook-service", "serve"]
# Docker and Compose use this; Cloud Run ignores it and uses the probes of deploy/README.md.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD curl -fsS "http://127.0.0.1:${PORT}/healthz" >/dev/null || exit 1
