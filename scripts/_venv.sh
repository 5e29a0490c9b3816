# Sourced by scripts/serve and scripts/test: make .venv and install the project into it.
# Usage: . scripts/_venv.sh [extra]   (extra: "test" also installs what the tests need)
extra="${1:-}"
python="${PYTHON:-python3}"
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "Stream needs Python 3.11 or newer; set PYTHON=/path/to/python3.11 if it is not 'python3'." >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$python" -m venv .venv
fi
# Reinstall only when pyproject.toml changed since the last install of this flavour.
stamp=".venv/.installed-${extra:-runtime}"
want="$("$python" -c 'import hashlib; print(hashlib.sha256(open("pyproject.toml", "rb").read()).hexdigest())')"
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  echo "==> installing Python packages into .venv"
  log=".venv/pip-install.log"
  if ! { .venv/bin/python -m pip install --disable-pip-version-check --upgrade pip \
         && .venv/bin/python -m pip install --disable-pip-version-check -e ".${extra:+[$extra]}"; } >"$log" 2>&1; then
    tail -n 30 "$log" >&2
    echo "pip install failed; the whole log is in $log" >&2
    exit 1
  fi
  echo "$want" > "$stamp"
fi
export PATH="$PWD/.venv/bin:$PATH"
