"""What the build and the search share: the Danish analysis of text (analyzer, lexicon, the
token characters of SQLite's unicode61), headings and snippets."""
