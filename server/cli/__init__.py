"""The `lastmile` command: one module per command group, assembled in server/cli/main.py."""
