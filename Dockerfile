# syntax=docker/dockerfile:1
# ddguard's admission webhook image: `docker build -t ddguard .`
# test/image/production-tree.test.ts lays out the same runtime tree without Docker (package.json,
# package-lock.json, dist/src, production dependencies only) and serves /healthz from it, so a runtime
# dependency missing from "dependencies" fails CI. Keep the two in step.

# ---- build: the current Node.js LTS with the full toolchain ----
FROM node:24-bookworm-slim AS build
WORKDIR /app
# Manifests first: the dependency layer is reused until package-lock.json changes.
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` builds, and the sources are not copied yet; the build is the next step.
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json ./
COPY src ./src
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund

# ---- runtime: distroless, no shell, no package manager, uid 65532 ----
FROM gcr.io/distroless/nodejs24-debian12:nonroot
WORKDIR /app
ENV NODE_ENV=production
# A heap ceiling sized for the container (the chart's limit is 512Mi), not for the node: V8 otherwise grows
# the heap lazily to ~200 MB resident under load. The chart sets the same through its nodeOptions value, and
# `npm run bench` starts serve with these (it reads them from here).
ENV NODE_OPTIONS="--max-old-space-size=256 --max-semi-space-size=4"
# package.json is needed at run time: "type": "module" makes dist/*.js ES modules, and it gives the version.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
USER 65532:65532
EXPOSE 8443 9090
# Flags follow the image name, e.g. --tls-cert/--tls-key (the Helm chart passes them). /app is read-only to
# uid 65532, so a local try without certificates needs a writable --dev-certs-dir, e.g. /tmp/certs.
ENTRYPOINT ["/nodejs/bin/node", "dist/src/cli/main.js", "serve"]
