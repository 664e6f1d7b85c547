"""Developer tooling: environment set-up, process management, terminal chat (`make run`)."""
