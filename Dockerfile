# Build stage: install with dev dependencies and compile TypeScript.
FROM node:20.20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime stage: production dependencies and the compiled output only.
FROM node:20.20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts
COPY --from=build /app/dist ./dist
COPY app.yml ./
USER node
EXPOSE 3000
ENV HOST=0.0.0.0 PORT=3000
# The same command as `npm start` runs after its build step. The CLI is `node dist/cli/main.js`.
CMD ["node", "dist/server/main.js"]
