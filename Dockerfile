# The image of both production processes (compose picks the command: src/worker.ts or src/api.ts).
# CommonJS TypeScript run by tsx: no build step, the sources are the program.
FROM node:20-bookworm-slim

RUN apt-get update \
  && apt-get install -y --no-install-recommends ca-certificates \
  && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY tsconfig.json ./
COPY src ./src

USER node
EXPOSE 3000
# SIGTERM (docker stop) drains the worker / closes the API; give them a few seconds.
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/api.ts"]
