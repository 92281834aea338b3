"""Review of a change: what a pull request changes in documents and in what gets posted."""
