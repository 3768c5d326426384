# syntax=docker/dockerfile:1
# Build stage: compile TypeScript with the dev toolchain.
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY fixtures ./fixtures
RUN npm run build

# Runtime dependencies only (better-sqlite3 is a native addon: built here, copied as is).
FROM node:20-bookworm-slim AS deps
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    DATA_DIR=/var/lib/registry-adapter \
    CERTS_DIR=/etc/registry-adapter/certs
WORKDIR /app
RUN groupadd --system adapter && useradd --system --gid adapter --home-dir /app --shell /usr/sbin/nologin adapter \
 && mkdir -p /var/lib/registry-adapter /etc/registry-adapter/certs \
 && chown adapter:adapter /var/lib/registry-adapter
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
COPY config ./config
COPY wsdl ./wsdl
# Keys, certificates and any secrets are mounted at run time, never baked in:
#   -v /path/certs:/etc/registry-adapter/certs:ro  -e DATABASE_URL=postgres://…
VOLUME ["/var/lib/registry-adapter"]
USER adapter
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD node -e "require('http').get('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz',r=>process.exit(r.statusCode===200?0:1)).on('error',()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "dist/src/main.js"]
