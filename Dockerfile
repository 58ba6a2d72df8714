# Switchyard in a container: docker build -t switchyard . && docker run -p 4566:4566 switchyard
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY bin ./bin
RUN npm ci --no-audit --no-fund && npm prune --omit=dev

FROM node:20-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# The debug UI's static files, served at /_switchyard/.
COPY ui ./ui
EXPOSE 4566
# Inside a container the server must listen beyond loopback to be reachable through -p.
ENTRYPOINT ["node", "dist/bin/switchyard.js", "--host", "0.0.0.0"]
