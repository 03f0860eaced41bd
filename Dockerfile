# syntax=docker/dockerfile:1
# oma-reconciler container image: the single executable the Debian package ships (built by the same
# packaging/build-binary.ts), on a slim Debian with no Node.js. Build (the commit for --version):
#   docker build --build-arg OMA_RECONCILER_COMMIT=$(git rev-parse --short=12 HEAD) -t oma-reconciler .
# Run (needs the OMA database; nbd-server and /dev/disk/by-id only on the appliance itself):
#   docker run --init --rm -p 127.0.0.1:9470:9470 -e HTTP_LISTEN=0.0.0.0:9470 \
#     -e DATABASE_URL=mysql://user:pass@db:3306/migratekit_oma oma-reconciler

ARG NODE_IMAGE=node:22-bookworm-slim
ARG RUNTIME_IMAGE=debian:bookworm-slim

# --- build: full dependencies, compile TypeScript, bundle, inject into node (SEA) -----------------
FROM ${NODE_IMAGE} AS build
ARG OMA_RECONCILER_COMMIT=unknown
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY reconcilers ./reconcilers
COPY schema ./schema
COPY packaging ./packaging
RUN npm run build && OMA_RECONCILER_COMMIT=${OMA_RECONCILER_COMMIT} npm run build:binary

# --- runtime: the executable alone ------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime
# NODE_OPTIONS: the heap sizing of the systemd unit (ceiling for 50,000 VM contexts, small young
# generation); the executable reads it like node does.
ENV NODE_OPTIONS="--max-old-space-size=1536 --max-semi-space-size=4" \
    HTTP_LISTEN=0.0.0.0:9470 \
    STATE_DIR=/var/lib/oma-reconciler
COPY --from=build /app/dist/release/oma-reconciler /usr/bin/oma-reconciler
# An unprivileged system user, as in the package; nothing but the state directory is writable by it.
RUN useradd --system --home-dir /var/lib/oma-reconciler --no-create-home --shell /usr/sbin/nologin oma-reconciler \
 && install -d -o oma-reconciler -g oma-reconciler -m 0700 /var/lib/oma-reconciler
USER oma-reconciler
EXPOSE 9470
VOLUME ["/var/lib/oma-reconciler"]
# Liveness from inside the container with neither node nor curl: bash's /dev/tcp against /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["bash", "-c", "hp=${HTTP_LISTEN:-127.0.0.1:9470}; h=${hp%:*}; p=${hp##*:}; case $h in ''|0.0.0.0|'[::]') h=127.0.0.1 ;; esac; exec 3<>/dev/tcp/$h/$p || exit 1; printf 'GET /healthz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3; IFS= read -r -t 4 status <&3 || exit 1; case $status in 'HTTP/1.'?' 200'*) exit 0 ;; esac; exit 1"]
# SIGTERM reaches the daemon directly (exec form): graceful stop within the grace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["oma-reconciler"]
CMD ["run"]
