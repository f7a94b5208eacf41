#!/usr/bin/env sh
# Print the path of a Python >= 3.12 interpreter that actually runs, or fail with a clear message.
# Order: $PYTHON, python3.13 / python3.12 / python3 on PATH, then pyenv's installed versions.
ok() { "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' >/dev/null 2>&1; }
for c in "${PYTHON:-}" python3.13 python3.12 python3; do
  [ -n "$c" ] || continue
  p=$(command -v "$c" 2>/dev/null) || continue
  if ok "$p"; then echo "$p"; exit 0; fi
done
root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
for p in $(ls -d "$root"/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -V); do
  if ok "$p"; then echo "$p"; exit 0; fi
done
echo "arrival-city needs Python >= 3.12 (Mesa 3.5 requires it) and none was found." >&2
echo "Tried: \$PYTHON, python3.13, python3.12, python3 on PATH and $root/versions/3.12+." >&2
echo "Install one (e.g. 'pyenv install 3.12') or run: make PYTHON=/path/to/python3.12 test" >&2
exit 1
