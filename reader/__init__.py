"""newsreader's Textual user interface."""
