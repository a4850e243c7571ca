#!/usr/bin/env bash
# Rasa 3.6 needs Python 3.10. Find it or say exactly what to install.
for candidate in "${PYTHON310:-}" python3.10 "$HOME/.pyenv/versions/3.10"*/bin/python3.10 /usr/bin/python3.10; do
  [ -n "$candidate" ] || continue
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
    command -v "$candidate"
    exit 0
  fi
done
cat >&2 <<'MSG'
Trygg havn needs Python 3.10 (Rasa Open Source 3.6 does not run on 3.11+), and none was found.
Install it, then run the command again:
  - with pyenv:        pyenv install 3.10   (this repo's .python-version selects it)
  - Debian/Ubuntu:     sudo apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
  - or point to one:   PYTHON310=/path/to/python3.10 make ...
MSG
exit 1
