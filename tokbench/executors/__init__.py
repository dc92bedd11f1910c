"""Where the grid's units of work run: in this process, in child processes, or on a cluster."""
