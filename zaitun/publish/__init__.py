"""Stage 4: the static bilingual site, feeds, social posts and the sinks they go to."""
