"""Stage 2: glossary-controlled machine translation, translation memory and QA checks."""
