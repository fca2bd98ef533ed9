#!/usr/bin/env bash
# Vendors Shopify's Admin GraphQL introspection dumps into schema/shopify/.
#
# Source: the npm package @shopify/dev-mcp (Shopify's own MCP server), which ships the
# introspection of each Admin API version as dist/data/admin_<version>.json.gz.
# The sandbox (sandbox/shopify) executes these schemas; Koppel's documents are validated
# against them. Re-run this script to refresh; it rewrites schema/shopify/SOURCE.md.
#
# Usage: scripts/fetch-shopify-schema.sh [package-version]   (default 1.16.0)
set -euo pipefail

PKG="@shopify/dev-mcp"
VERSION="${1:-1.16.0}"
VERSIONS=("2026-10" "2026-07")

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/schema/shopify"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT

mkdir -p "$DEST"
cd "$WORK"
# --json gives us the tarball's integrity and shasum as the registry reports them.
npm pack "$PKG@$VERSION" --json --silent > pack.json
TARBALL="$(node -e 'const p=require("./pack.json")[0]; process.stdout.write(p.filename)')"
INTEGRITY="$(node -e 'const p=require("./pack.json")[0]; process.stdout.write(p.integrity)')"
SHASUM="$(node -e 'const p=require("./pack.json")[0]; process.stdout.write(p.shasum)')"
RESOLVED="$(npm view "$PKG@$VERSION" dist.tarball 2>/dev/null || echo "https://registry.npmjs.org/$PKG/-/dev-mcp-$VERSION.tgz")"

mkdir extract
tar -xzf "$TARBALL" -C extract
for v in "${VERSIONS[@]}"; do
  src="extract/package/dist/data/admin_${v}.json.gz"
  if [[ ! -f "$src" ]]; then
    echo "error: $src not found in $PKG@$VERSION; pick a package version that ships Admin API $v" >&2
    exit 1
  fi
  # Check the file really is a gzip'd introspection result before vendoring it.
  node -e '
    const z = require("zlib"), fs = require("fs");
    const j = JSON.parse(z.gunzipSync(fs.readFileSync(process.argv[1])).toString());
    if (!(j.data || j).__schema) { console.error("not an introspection result: " + process.argv[1]); process.exit(1); }
  ' "$src"
  cp "$src" "$DEST/admin_${v}.json.gz"
done

{
  echo "# Shopify Admin GraphQL schemas (vendored)"
  echo
  echo "Written by \`scripts/fetch-shopify-schema.sh\`; do not edit by hand, re-run the script."
  echo
  echo "| | |"
  echo "|---|---|"
  echo "| package | \`$PKG@$VERSION\` (npm) |"
  echo "| tarball | $RESOLVED |"
  echo "| tarball integrity | \`$INTEGRITY\` |"
  echo "| tarball sha1 | \`$SHASUM\` |"
  echo "| path in package | \`package/dist/data/admin_<version>.json.gz\` |"
  echo "| fetched | $(date -u +%Y-%m-%dT%H:%M:%SZ) |"
  echo
  echo "| file | sha256 | bytes |"
  echo "|---|---|---|"
  for v in "${VERSIONS[@]}"; do
    f="$DEST/admin_${v}.json.gz"
    echo "| \`admin_${v}.json.gz\` | \`$(sha256sum "$f" | cut -d' ' -f1)\` | $(wc -c < "$f" | tr -d ' ') |"
  done
  echo
  echo "Each file is a gzip'd JSON introspection result (\`{data:{__schema}}\`) with Shopify's extra keys"
  echo "(\`requiredAccess\`, \`isProtected\`, \`protectedSubject\`, \`accessRestricted\`). The sandbox loads them with"
  echo "graphql-js \`buildClientSchema\` (see \`sandbox/shopify/schema.ts\`)."
} > "$DEST/SOURCE.md"

echo "vendored ${VERSIONS[*]} from $PKG@$VERSION into $DEST"
