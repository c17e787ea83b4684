"""The front-office report: figures from the history, charts, HTML and PDF, and its schedule."""
