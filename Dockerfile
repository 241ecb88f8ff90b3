# gacheck as a container image: `docker run IMAGE evaluate --config ...`, `... serve ...`.
# Multi-stage: the first stage builds gacheck's wheel and those of its dependencies, the second
# installs them into a slim Python runtime with git and ruff (the code gates need them) and runs
# as a non-root user. BASE is any Debian-based image with python3 and its venv module: the
# official slim image by default, or one built from Debian's packages (docs/pipelines.md).
ARG BASE=docker.io/library/python:3.12-slim-bookworm

FROM ${BASE} AS build
WORKDIR /src
RUN python3 -m venv /opt/build \
    && /opt/build/bin/pip install --no-cache-dir --disable-pip-version-check \
        "pip==24.3.1" "setuptools==75.6.0" "wheel==0.45.1"
COPY pyproject.toml README.md ./
COPY gacheck ./gacheck
RUN /opt/build/bin/pip wheel --no-cache-dir --disable-pip-version-check --no-build-isolation \
        --wheel-dir /wheels ".[serve]"

FROM ${BASE}
ARG VERSION=0.1.0
ARG REVISION=unknown
LABEL org.opencontainers.image.title="gacheck" \
      org.opencontainers.image.description="Release-gate evaluator and GA-readiness reporter" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/gacheck/gacheck" \
      org.opencontainers.image.documentation="https://github.com/gacheck/gacheck/blob/main/docs/pipelines.md"
SHELL ["/bin/sh", "-eu", "-c"]
RUN apt-get update \
    && apt-get install -y --no-install-recommends git=1:2.* \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin gacheck
COPY --from=build /wheels /tmp/wheels
RUN python3 -m venv /opt/gacheck \
    && /opt/gacheck/bin/pip install --no-cache-dir --disable-pip-version-check --no-index \
        --find-links /tmp/wheels "gacheck[serve]" \
    && rm -rf /tmp/wheels \
    && /opt/gacheck/bin/ruff --version
# safe.directory=*: the checkout is mounted from the host or the CI runner and belongs to
# another user; git would refuse to read it (the code gates need its commit and history).
ENV PATH=/opt/gacheck/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GIT_CONFIG_COUNT=1 \
    GIT_CONFIG_KEY_0=safe.directory \
    GIT_CONFIG_VALUE_0=*
USER 10001:10001
WORKDIR /work
EXPOSE 8080
ENTRYPOINT ["gacheck"]
CMD ["--help"]
