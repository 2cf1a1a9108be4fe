# shellcheck shell=bash
# Shared by provision.sh and teardown.sh (sourced, not run): logging and the two ways they call az.
# The caller sets DRY_RUN (0 or 1) before calling `change`.

log() { printf '%s\n' "$*" >&2; }

# change: run an az command that changes something (printed; skipped with --dry-run).
change() {
  log "+ az $*"
  if [ "$DRY_RUN" = 1 ]; then return 0; fi
  az "$@" --only-show-errors
}

# look: run a read-only az command and print its tsv value ("" when it does not exist).
look() { az "$@" --only-show-errors -o tsv 2>/dev/null || true; }
