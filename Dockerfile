# One image for every app: `docker run douyin-mesh <app>`, app = gateway|user|video|favorite|comment|relation|message;
# `docker run douyin-mesh <service> --migrate-only` migrates a service's tables and exits (the gateway has none).
# Build: the whole workspace with `tsc -b` (what production runs), then the dev dependencies are pruned away.
FROM node:20-bookworm-slim AS build
WORKDIR /app
# better-sqlite3 compiles from source (no reachable prebuilt binary).
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json nx.json tsconfig.base.json tsconfig.json ./
COPY libs libs
COPY apps apps
RUN npm ci --no-audit --no-fund \
  && npx tsc -b tsconfig.json \
  && npm prune --omit=dev --no-audit --no-fund

FROM node:20-bookworm-slim
# ffprobe/ffmpeg: the video service probes uploads and cuts covers.
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0 DATA_DIR=/data
# A larger young generation: a feed page allocates a lot that dies young, and the default 16 MB semi-space made
# garbage collection a fifth of the gateway's CPU (feed throughput +20% measured, bench/src/processes.ts uses the same).
ENV NODE_OPTIONS=--max-semi-space-size=64
COPY --from=build /app /app
RUN mkdir -p /data && chown node:node /data
USER node
# The telemetry preload starts OpenTelemetry before the app's modules load (inert without OTEL_* settings).
# `exec` makes node PID 1, so SIGTERM reaches its graceful shutdown directly.
ENTRYPOINT ["sh", "-c", "exec node --import @douyin/telemetry/preload \"apps/$0/dist/src/main.js\" \"$@\""]
CMD ["gateway"]
