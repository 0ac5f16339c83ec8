"""Reading a government notice's text: lines, head, body structure, units, Markdown."""
