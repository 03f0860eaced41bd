# syntax=docker/dockerfile:1
# oma-reconciler container image. Build:  docker build -t oma-reconciler .
# Run (needs the OMA database; nbd-server and /dev/disk/by-id only on the appliance itself):
#   docker run --rm -p 127.0.0.1:9470:9470 -e HTTP_LISTEN=0.0.0.0:9470 \
#     -e DATABASE_URL=mysql://user:pass@db:3306/migratekit_oma oma-reconciler

ARG NODE_IMAGE=node:22-bookworm-slim

# --- build: full dependencies, compile TypeScript to dist/ ---------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY reconcilers ./reconcilers
COPY schema ./schema
RUN npm run build

# --- deps: production dependencies only -----------------------------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- runtime ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime
# NODE_OPTIONS: the heap ceiling of the systemd unit (sized for 50,000 VM contexts).
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-old-space-size=1536 \
    HTTP_LISTEN=0.0.0.0:9470 \
    STATE_DIR=/var/lib/oma-reconciler
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY bin ./bin
# The bin on PATH, as `npm install -g` would put it; bin/oma-reconciler.js prefers dist/.
RUN ln -s /app/bin/oma-reconciler.js /usr/local/bin/oma-reconciler \
 && chmod 0755 /app/bin/oma-reconciler.js \
 && install -d -o node -g node -m 0700 /var/lib/oma-reconciler
# The image's unprivileged `node` user (uid 1000); nothing under /app is writable by it.
USER node
EXPOSE 9470
VOLUME ["/var/lib/oma-reconciler"]
# Liveness from inside the container, without curl: Node's global fetch against /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "const [h,p]=(process.env.HTTP_LISTEN||'127.0.0.1:9470').split(/:(?=\\d+$)/);fetch(`http://${h==='0.0.0.0'||h===''?'127.0.0.1':h}:${p}/healthz`,{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM reaches the daemon directly (exec form, PID 1 is node): graceful stop within the grace.
STOPSIGNAL SIGTERM
ENTRYPOINT ["oma-reconciler"]
CMD ["run"]
