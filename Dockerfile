# archmap in a container: a static (musl) binary on an empty image.
#   docker build -t archmap .
#   docker run --rm -v "$PWD:/work" archmap check
# The working directory is /work: mount the repository there and archmap finds its
# archmap.yaml as it would on the host.

FROM rust:1-alpine AS build
# musl-dev: the C runtime the static binary links. The build image is thrown away, so the
# packages are not pinned to versions (their tags move with Alpine's releases).
# hadolint ignore=DL3018
RUN apk add --no-cache musl-dev
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY src ./src
COPY templates ./templates
COPY assets ./assets
COPY benches ./benches
COPY tests ./tests
# Alpine's Rust targets musl and links it statically: the binary needs no library at run time.
RUN cargo build --release --locked --bin archmap \
    && cp target/release/archmap /archmap \
    && /archmap --version

FROM scratch
COPY --from=build /archmap /usr/local/bin/archmap
WORKDIR /work
ENTRYPOINT ["/usr/local/bin/archmap"]
CMD ["check"]
