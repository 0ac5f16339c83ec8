"""Stage 4: the static bilingual site, feeds, social posts and the sinks they go to.

    inputs.py   store -> one Entry per document and language (English only from releases)
    pages.py    entries -> planned pages with alternates and input keys;  render.py + templates/
    feeds.py    RSS and Atom per language and programme;  extras.py: root, 404, css, sitemap, robots
    lint.py     the build's check of its own output;  layout.py: every path and URL of publish/
    site.py     build_site(): the whole pass, incremental;  output.py: atomic commit, manifest
    delta.py    what changed since the build online (the store's change number, a digest of the rest)
    social.py   the outbox (posts.py: platform limits and truncation);  mastodon.py: the poster
    sinks.py    deploy to a folder or S3 (s3.py);  websub.py: hub ping
    preview.py  serve publish/ locally;  cli.py: the commands
"""
