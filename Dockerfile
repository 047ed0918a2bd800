# Taskgraph Coordinator: the GitHub App server (`node dist/server/main.js`, what `npm start` runs).
# Node 24 (LTS); package.json's engines (>= 20.18.1) keep Node 20 and 22 working outside the image.
#
#   docker build -t taskgraph-coordinator .
#   docker run -d --env-file .env -p 3000:3000 -v coordinator-data:/app/data taskgraph-coordinator
#
# Build stage: install with dev dependencies and compile the app's TypeScript (src/ only; sim/ is
# the local demo's and is not shipped in the image). --ignore-scripts skips `prepare` (the full
# build, demo included); the app's own compile runs next.
FROM node:24-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json && chmod 755 dist/cli/main.js

# Production dependencies. better-sqlite3 (the embedded outbox store) is a native addon: it is
# built here, where the full image has python3, make and g++ (or takes its prebuilt binary).
FROM node:24-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3

# Runtime: same Debian release as the stages above, so the addon's glibc matches. tini is PID 1:
# it forwards SIGTERM to node (a bare node as PID 1 gets no default signal handlers from the
# kernel) and reaps zombies, so `docker stop` gets the graceful shutdown, not a SIGKILL 10 s later.
FROM node:24-bookworm-slim
RUN apt-get update \
  && apt-get install -y --no-install-recommends tini \
  && rm -rf /var/lib/apt/lists/*
# production: JSON logs (one object per line) unless LOG_FORMAT says otherwise, and APP_ID, the
# private key and WEBHOOK_SECRET are required at boot.
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY app.yml ./
RUN mkdir -p /app/data && chown node:node /app/data
USER node
EXPOSE 3000
ENV HOST=0.0.0.0 PORT=3000 DATA_DIR=/app/data
# The store (Teams outbox, journal, leases) lives here on SQLite: mount a volume so a restart
# delivers what was queued. Several replicas: set DATABASE_URL (PostgreSQL) instead, and a REPLICA_ID
# per container; the volume is then unused.
VOLUME ["/app/data"]
# /healthz answers 200 while the process serves (slim has no curl; node's fetch does it).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Longer than SHUTDOWN_TIMEOUT_MS (25 s): `docker stop -t 30` or a pod's terminationGracePeriodSeconds
# of 30 lets the running reconcile finish.
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/tini", "--"]
# The same command as `npm start`. The operator CLI: `docker exec <c> node dist/cli/main.js outbox list`.
CMD ["node", "dist/server/main.js"]
