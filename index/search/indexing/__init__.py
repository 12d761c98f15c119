"""The search index, derived from the library: its schema and lifetime (open, rebuild, write,
search), its cross-process write lock, state file, merge policy, the library rows it is written
from, the documents made of them, and the helper process that writes half a large batch."""
