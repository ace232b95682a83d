# Retskilde's public site: the database is built from a corpus folder while the image is built
# and served immutable by `retskilde serve-public` as an unprivileged user.
#
#   docker build -t retskilde .                                   # the bundled sample corpus
#   docker run --rm -p 8001:8001 retskilde                        # http://127.0.0.1:8001/
#   docker build --build-arg CORPUS=data/corpus -t retskilde .    # a real corpus in the context
#   docker run --rm -p 8001:8001 -v "$PWD/data/retskilde.db:/data/retskilde.db:ro" \
#     -e RETSKILDE_DB=/data/retskilde.db retskilde               # or a database built elsewhere
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8001

RUN useradd --system --uid 10001 --home-dir /app --no-create-home retskilde

# Installed as a package (not editable): metadata.yml, the record schema, the plugins,
# templates and static files travel inside it; the sources are not kept in the image.
COPY pyproject.toml README.md metadata.yml /tmp/src/
COPY retskilde/ /tmp/src/retskilde/
COPY db/ /tmp/src/db/
COPY scrapers/ /tmp/src/scrapers/
COPY datasette_plugins/ /tmp/src/datasette_plugins/
COPY corpus/document.schema.json /tmp/src/corpus/document.schema.json
RUN pip install /tmp/src && rm -rf /tmp/src

WORKDIR /app

# The corpus to build from: a folder in the build context (default: the sample corpus).
ARG CORPUS=corpus
COPY ${CORPUS}/ /tmp/corpus/
RUN mkdir -p /app/db && retskilde build --corpus /tmp/corpus --db /app/db/retskilde.db \
    && rm -rf /tmp/corpus

# Everything above belongs to root: the site cannot change its code or its database.
USER retskilde
EXPOSE 8001
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/-/versions.json' % os.environ.get('PORT', '8001'), timeout=4)"]
CMD ["retskilde", "serve-public"]
