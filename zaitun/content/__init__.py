"""Stage 1: content files, notices converted into them, and their translatable segments."""
