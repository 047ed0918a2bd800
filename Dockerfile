# Build stage: install with dev dependencies and compile the app's TypeScript (src/ only; sim/ is
# the local demo's and is not shipped in the image).
FROM node:20.20-bookworm AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Production dependencies. better-sqlite3 (the embedded outbox store) is a native addon: it is
# built here, where the full image has python3, make and g++ (or takes its prebuilt binary).
FROM node:20.20-bookworm AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3

# Runtime: same Debian release as the stages above, so the addon's glibc matches.
FROM node:20.20-bookworm-slim
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
# The Teams outbox lives here: mount a volume so a restart delivers what was queued.
VOLUME ["/app/data"]
# The same command as `npm start` runs after its build step. The CLI is `node dist/cli/main.js`.
CMD ["node", "dist/server/main.js"]
