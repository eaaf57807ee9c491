#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Every shipped rule file validates against docs/rules.schema.json, the schema editors use; and
# the schema is not vacuous: a file with a misspelt key or level fails it. Needs no root.
source "$(dirname "$0")/lib.sh"
[ -x /usr/bin/python3 ] || skip "needs /usr/bin/python3 (python3-yaml, python3-jsonschema)"
/usr/bin/python3 -c 'import yaml, jsonschema' 2>/dev/null || skip "needs python3-yaml and python3-jsonschema"

validate() {
    /usr/bin/python3 - "$NETDX_SOURCE_DIR/docs/rules.schema.json" "$@" <<'PY'
import json, sys, yaml, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
bad = 0
for path in sys.argv[2:]:
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors(yaml.safe_load(open(path))))
    for e in errors:
        print(f"{path}: {'/'.join(map(str, e.absolute_path))}: {e.message}")
    bad += len(errors)
sys.exit(1 if bad else 0)
PY
}

validate "$NETDX_SOURCE_DIR"/knowledge/*.yaml "$NETDX_SOURCE_DIR"/knowledge/drop-reasons/*.yaml ||
    fail "shipped rules or drop-reason entries do not match the schema"
cat >"$WORK/bad.yaml" <<'YAML'
rules:
  - id: x
    level: warn
    advise: []
YAML
if validate "$WORK/bad.yaml" >"$WORK/bad.out"; then
    fail "the schema accepted a misspelt key and level"
fi
grep -q "advise" "$WORK/bad.out" || fail "the schema did not name the misspelt key"
cat >"$WORK/bad-reason.yaml" <<'YAML'
reasons:
  - name: no_socket
    summary: x
YAML
if validate "$WORK/bad-reason.yaml" >"$WORK/bad-reason.out"; then
    fail "the schema accepted a lower-case reason name without its required keys"
fi
pass "$(ls "$NETDX_SOURCE_DIR"/knowledge/*.yaml "$NETDX_SOURCE_DIR"/knowledge/drop-reasons/*.yaml | wc -l) files"
