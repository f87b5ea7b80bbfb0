# Pipeline Coach: a static binary on a distroless base, run as a non-root user.
#
#   docker build -t pipelinecoach .
#   docker run -e SLACK_APP_TOKEN=xapp-… -e SLACK_BOT_TOKEN=xoxb-… -v pipelinecoach-data:/data pipelinecoach
#   docker run --rm pipelinecoach demo
#
# cmd/pipelinecoach/static_test.go runs this file's `go build` line as it is
# written here and checks the result is static, so the two cannot drift.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/pipelinecoach ./cmd/pipelinecoach
# The embedded store's directory, created here: the final image has no shell.
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/pipelinecoach /pipelinecoach
COPY --from=build --chown=65532:65532 /out/data /data
USER 65532:65532
# The embedded store lives in DATA_DIR unless REDIS_URL is set. The
# operations endpoints listen on every interface so the health check, a
# compose network and a scraper can reach them; publish the port only where
# it is private.
ENV DATA_DIR=/data \
    HTTP_ADDR=0.0.0.0:8080
VOLUME /data
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/pipelinecoach", "healthcheck"]
ENTRYPOINT ["/pipelinecoach"]
