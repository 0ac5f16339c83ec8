# zaitun for operators: one image, one role per container (compose.yaml wires them).
# Build: docker build -t zaitun .   The project folder is mounted at /srv/zaitun.

FROM python:3.11-slim AS wheel
WORKDIR /src
COPY . .
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

FROM python:3.11-slim
ENV PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DO_NOT_TRACK=1 \
    PREFECT_SERVER_ANALYTICS_ENABLED=false \
    PREFECT_HOME=/home/zaitun/.prefect \
    ZAITUN_PROJECT=/srv/zaitun
COPY --from=wheel /dist /dist
# The wheel built above by its path (never a same-named package from the index); its dependencies from PyPI.
# hadolint ignore=DL3013
RUN set -- /dist/zaitun-*.whl \
    && pip install --no-cache-dir "$1[postgres]" \
    && rm -rf /dist \
    && useradd --create-home --uid 10001 zaitun \
    && mkdir -p /srv/zaitun \
    && chown zaitun:zaitun /srv/zaitun
USER 10001
WORKDIR /srv/zaitun
EXPOSE 4200 8400 8000
# One role per container: override the command (see compose.yaml); alone, the whole local stack.
CMD ["zaitun", "up"]
