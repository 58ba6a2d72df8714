# Switchyard in a container. The image is built by CI elsewhere (no Docker engine runs on our
# machines); test/docker-steps.test.ts runs these same install and start commands in a clean
# directory.
#
#   docker build -t switchyard .
#   docker run -p 4566:4566 -v switchyard-data:/data switchyard
#
# Flags after the image name are passed on (`docker run ... switchyard --log-level debug`); to
# change the port, set SWITCHYARD_PORT so the health check follows it.

# Build: every dependency to compile (npm ci runs the prepare script, tsc), then the dev ones go.
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

# Run: production dependencies, the compiled output and the debug UI, as the unprivileged user.
FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The debug UI's static files, served at /_switchyard/.
COPY ui ./ui
# Everything Switchyard keeps (--data-dir) lives on this volume, owned by the user it runs as.
RUN mkdir -p /data && chown node:node /data
VOLUME /data
USER node
EXPOSE 4566
# node:20-slim has no curl: node's own fetch asks the health route.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.SWITCHYARD_PORT || 4566) + '/_switchyard/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Inside a container the server must listen beyond loopback to be reachable through -p.
ENTRYPOINT ["node", "dist/bin/switchyard.js", "--host", "0.0.0.0", "--data-dir", "/data"]
