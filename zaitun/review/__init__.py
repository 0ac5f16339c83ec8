"""Stage 3: the human review gate. Only approved English is ever published."""
