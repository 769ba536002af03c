# syntax=docker/dockerfile:1
# One image for every kcost role: `docker run kcost <role> [flags]`
# (collect kube|usage|prices, process, sink, api, export, simulate, migrate, topics).

ARG NODE_VERSION=20

# Build: all dependencies, compile TypeScript to dist/, then drop the dev dependencies.
FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY services ./services
COPY bench ./bench
COPY schemas ./schemas
RUN npm run build && npm prune --omit=dev --no-audit --no-fund

# Runtime: the compiled code, the Avro schemas and SQL migrations it reads at run time, production node_modules.
FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY sql ./sql
# Where kcost collect bill keeps its --state-file: owned by node, so a named volume mounted
# here (docker-compose.yml) starts out writable by it.
RUN mkdir -p /var/lib/kcost/state && chown node:node /var/lib/kcost/state
# The node image's unprivileged user (uid 1000), matching the Helm chart's runAsUser.
USER node
# 9464: /healthz, /readyz and /metrics of every role (the exporter's kube_cost_* too); 8080: the query API.
EXPOSE 9464 8080
ENTRYPOINT ["node", "bin/kcost.js"]
CMD ["--help"]
