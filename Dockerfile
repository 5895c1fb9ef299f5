# syntax=docker/dockerfile:1
#
# One image per service, from one Dockerfile:
#   docker build --build-arg SERVICE=approvals -t assent/approvals .
# The build stage bundles services/$SERVICE/src/bin.ts (and the workspace
# packages it imports) into a single ESM file and writes its CycloneDX SBOM
# (cyclonedx-npm); the runtime stage holds only the bundle, the SBOM
# (dist/$SERVICE/sbom.cdx.json) and the proto descriptor set, no node_modules.

ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /src
ENV NPM_CONFIG_UPDATE_NOTIFIER=false

# Manifests first, so `npm ci` is cached until a dependency changes. npm ci
# needs every workspace's package.json: keep this list in step with
# "workspaces" in package.json.
COPY package.json package-lock.json .npmrc ./
COPY packages/proto/package.json packages/proto/
COPY packages/platform/package.json packages/platform/
COPY packages/testkit/package.json packages/testkit/
COPY packages/cli/package.json packages/cli/
COPY packages/bench/package.json packages/bench/
COPY services/approvals/package.json services/approvals/
COPY services/authz/package.json services/authz/
COPY services/audit/package.json services/audit/
COPY services/delivery/package.json services/delivery/
COPY services/notifier/package.json services/notifier/
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund

COPY tsconfig.base.json tsconfig.json ./
COPY packages/ packages/
COPY services/ services/

ARG SERVICE
COPY scripts/build.sh scripts/sbom.ts scripts/
RUN if [ -z "${SERVICE}" ]; then \
      echo "build with --build-arg SERVICE=<approvals|authz|audit|delivery|notifier>" >&2; exit 1; \
    fi; \
    scripts/build.sh "${SERVICE}" && npx tsx scripts/sbom.ts "${SERVICE}"

FROM ${NODE_IMAGE} AS runtime
ARG SERVICE
# Set by the release build (--build-arg VERSION=… --build-arg REVISION=$(git rev-parse HEAD)).
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="assent-${SERVICE}" \
      org.opencontainers.image.description="Assent ${SERVICE} service (approvals and governance platform)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    SERVICE=${SERVICE}
WORKDIR /app
# Root-owned and read-only to the service user; the pod also mounts the root
# filesystem read-only.
COPY --from=build /src/dist/${SERVICE}/ dist/${SERVICE}/
COPY --from=build /src/dist/descriptor.binpb dist/descriptor.binpb
# The image's "node" user, by number so Kubernetes can verify runAsNonRoot.
USER 1000:1000
# exec: node becomes PID 1 and receives SIGTERM for the graceful shutdown.
CMD ["/bin/sh", "-c", "exec node \"dist/${SERVICE}/bin.mjs\""]
