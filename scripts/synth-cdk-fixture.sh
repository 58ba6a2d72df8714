#!/usr/bin/env bash
# Re-synthesizes the CDK fixture: test/fixtures/cdk-app/app.mjs -> test/fixtures/cdk-app/cdk.out/.
#
# aws-cdk-lib is large (about 100 MB installed) and Switchyard never needs it to run, so it is
# installed into a temporary directory that is removed afterwards, never into the project's
# dependencies. The versions are pinned so the committed template changes only on purpose:
#   CDK_VERSION=2.276.0 CONSTRUCTS_VERSION=10.8.1 bash scripts/synth-cdk-fixture.sh
set -euo pipefail

CDK_VERSION="${CDK_VERSION:-2.276.0}"
CONSTRUCTS_VERSION="${CONSTRUCTS_VERSION:-10.8.1}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FIXTURE="$ROOT/test/fixtures/cdk-app"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/switchyard-cdk-XXXXXX")"
trap 'rm -rf "$WORK"' EXIT

echo "installing aws-cdk-lib@$CDK_VERSION and constructs@$CONSTRUCTS_VERSION into $WORK" >&2
(
  cd "$WORK"
  printf '{ "name": "switchyard-cdk-fixture", "private": true, "type": "module" }\n' > package.json
  npm install --silent --no-audit --no-fund --ignore-scripts --no-package-lock \
    "aws-cdk-lib@$CDK_VERSION" "constructs@$CONSTRUCTS_VERSION"
)

# The app runs from the temporary directory, where node finds aws-cdk-lib.
cp "$FIXTURE/app.mjs" "$WORK/app.mjs"
OUT="$WORK/cdk.out"
(cd "$WORK" && node app.mjs "$OUT")

# Only the templates are kept: the manifest and tree files name the temporary directory.
rm -rf "$FIXTURE/cdk.out"
mkdir -p "$FIXTURE/cdk.out"
cp "$OUT"/*.template.json "$FIXTURE/cdk.out/"
echo "$CDK_VERSION" > "$FIXTURE/cdk.out/CDK_VERSION"
ls -l "$FIXTURE/cdk.out" >&2
