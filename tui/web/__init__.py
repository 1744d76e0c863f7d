"""The app served to web browsers (``annotty serve``): the server and its access rules."""
