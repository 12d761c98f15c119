"""Bookmarks out and in: renderers for the tools people already use (renderers), and the
import of our own JSON export (importer)."""
