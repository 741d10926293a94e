#!/usr/bin/env bash
# Vendors the front-end files of the portal into static/vendor/.
#
# No build step at run time and nothing loaded from another origin (CSP 'self'):
# each package is fetched with `npm pack` (npm registry only) into a temporary
# directory, checked against its pinned integrity, and only the files the portal
# needs are copied. static/vendor/ is rebuilt from scratch on every run, so the
# script is re-runnable and idempotent (same pins -> byte-identical tree).
#
# Usage: scripts/vendor-static.sh
set -euo pipefail

# ---- Pinned versions (latest of each line when pinned) ----------------------
GOVBR_DS_VERSION="3.7.0"          # @govbr-ds/core 3.7.x
FONTAWESOME_VERSION="5.15.4"      # @fortawesome/fontawesome-free 5.15.x (DS 3 uses FA 5)
RALEWAY_VERSION="5.3.0"           # @fontsource/raleway 5.x
HTMX_VERSION="2.0.11"             # htmx.org 2.0.x
QUILL_VERSION="2.0.3"             # quill 2.0.x (rich-text editor of the replies)

# npm `dist.integrity` of each tarball (npm view PKG@VER dist.integrity).
GOVBR_DS_INTEGRITY="sha512-q60/LXZcB/oiARP57gTI348q75Lp3flpOLTAVylcxHSCotwiya7kWtgXDyjPY8Msnf9eF4+fHlRqVu8s4FFEOw=="
FONTAWESOME_INTEGRITY="sha512-eYm8vijH/hpzr/6/1CJ/V/Eb1xQFW2nnUKArb3z+yUWv7HTwj6M7SP957oMjfZjAHU6qpoNc2wQvIxBLWYa/Jg=="
RALEWAY_INTEGRITY="sha512-BTWr1I14Ji0DWpS/KCIq/CXcvxXWgMO73gynWpbYv7A5wlPhLevozgRmdPJvZmUf0fhH+Lju+F4nigJ6Ums24A=="
HTMX_INTEGRITY="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA=="
QUILL_INTEGRITY="sha512-xEYQBqfYx/sfb33VJiKnSJp8ehloavImQ2A6564GAbqG55PGw1dAWUn1MUbQB62t0azawUS2CZZhWCjO8gRvTw=="

# Raleway subsets / weights / styles to vendor.
RALEWAY_SUBSETS=(latin-ext latin)
RALEWAY_WEIGHTS=(300 400 500 600 700 800)
RALEWAY_STYLES=(normal italic)
# -----------------------------------------------------------------------------

NPM="${NPM:-npm}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEST="$ROOT/static/vendor"

log() { printf '[vendor-static] %s\n' "$*" >&2; }
die() { printf '[vendor-static] ERROR: %s\n' "$*" >&2; exit 1; }

command -v "$NPM" >/dev/null || die "npm not found"
command -v node >/dev/null || die "node not found"

mkdir -p "$ROOT/static"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/vendor-static.XXXXXX")"
# Staging dir on the same filesystem as DEST so the final swap is a rename.
STAGE="$(mktemp -d "$ROOT/static/.vendor-staging.XXXXXX")"
cleanup() { rm -rf "$TMP" "$STAGE" "$DEST.old"; }
trap cleanup EXIT

sri() { # sri FILE -> sha512-<base64>
  node -e 'const c=require("crypto"),fs=require("fs");process.stdout.write("sha512-"+c.createHash("sha512").update(fs.readFileSync(process.argv[1])).digest("base64"))' "$1"
}

# fetch SPEC EXPECTED_INTEGRITY -> prints the extracted package dir
fetch() {
  local spec="$1" want="$2" name dir tgz got
  name="$(printf '%s' "$spec" | tr -d '@' | tr '/' '-')"
  dir="$TMP/$name"
  mkdir -p "$dir"
  log "npm pack $spec"
  tgz="$(cd "$TMP" && "$NPM" pack "$spec" --silent --ignore-scripts --no-fund --no-audit \
          --no-update-notifier --pack-destination "$TMP" | tail -n1)"
  [ -f "$TMP/$tgz" ] || die "npm pack $spec produced no tarball"
  got="$(sri "$TMP/$tgz")"
  [ "$got" = "$want" ] || die "integrity mismatch for $spec: got $got, want $want"
  tar -xzf "$TMP/$tgz" -C "$dir"
  printf '%s/package' "$dir"
}

put() { # put SRC DEST_RELATIVE_PATH
  [ -f "$1" ] || die "missing in package: $1"
  mkdir -p "$(dirname "$STAGE/$2")"
  cp "$1" "$STAGE/$2"
}

# Report and strip references to other origins from a CSS file:
#  - @import of absolute / protocol-relative URLs  -> removed
#  - @font-face blocks whose src uses such URLs     -> removed
#  - any other url(http[s]://...) / url(//...)      -> none
# and drop /*# sourceMappingURL=... */ (we do not ship the CSS maps; Django's
# ManifestStaticFilesStorage would fail on a missing .map).
EXT_URL_RE='url\([[:space:]]*["'\'']?(https?:)?//[^)]*\)'
EXT_IMPORT_RE='@import[[:space:]]*(url\()?[[:space:]]*["'\'']?(https?:)?//[^;]*;'
sanitize_css() {
  local f="$1" refs
  refs="$(grep -oE "$EXT_IMPORT_RE|$EXT_URL_RE" "$f" | sort -u || true)"
  if [ -n "$refs" ]; then
    log "stripping external references from ${f#"$STAGE"/}:"
    printf '%s\n' "$refs" | sed 's/^/    /' >&2
  else
    log "no external references in ${f#"$STAGE"/}"
  fi
  sed -E -i \
    -e "s|$EXT_IMPORT_RE||g" \
    -e "s|@font-face[[:space:]]*\{[^}]*${EXT_URL_RE}[^}]*\}||g" \
    -e "s|$EXT_URL_RE|none|g" \
    -e 's|/\*#[[:space:]]*sourceMappingURL=[^*]*\*/||g' \
    "$f"
}

# Fail if a CSS file still references another origin or a file we do not ship.
check_css() {
  local f="$1" dir u target bad=0
  dir="$(dirname "$f")"
  if grep -qE "$EXT_IMPORT_RE|$EXT_URL_RE|@import" "$f"; then
    die "${f#"$STAGE"/} still has an external reference or @import"
  fi
  while IFS= read -r u; do
    u="${u#url(}"; u="${u%)}"
    u="$(printf '%s' "$u" | sed -E "s/^[[:space:]\"']+//; s/[[:space:]\"']+$//")"
    case "$u" in data:*|'') continue ;; esac
    target="${u%%[?#]*}"
    if [ ! -f "$dir/$target" ]; then
      log "  ${f#"$STAGE"/}: url($u) does not resolve"; bad=1
    fi
  done < <(grep -oE 'url\([^)]*\)' "$f" || true)
  [ "$bad" -eq 0 ] || die "unresolved url() in ${f#"$STAGE"/}"
}

# ---- @govbr-ds/core ---------------------------------------------------------
P="$(fetch "@govbr-ds/core@$GOVBR_DS_VERSION" "$GOVBR_DS_INTEGRITY")"
put "$P/dist/core.min.css" govbr-ds/core.min.css
put "$P/dist/core.min.js" govbr-ds/core.min.js
# core.min.js is kept byte-identical; it ends with `//# sourceMappingURL=core.min.js.map`,
# which Django's ManifestStaticFilesStorage resolves, so the map is shipped too.
put "$P/dist/core.min.js.map" govbr-ds/core.min.js.map
put "$P/dist/favicon.ico" govbr-ds/favicon.ico
put "$P/LICENSE" govbr-ds/LICENSE
# The package ships no gov.br logo (svg/png); its examples load logos from a CDN.
shopt -s nullglob nocaseglob
for img in "$P"/dist/*.svg "$P"/dist/*.png "$P"/dist/images/*.svg "$P"/dist/images/*.png; do
  log "copying image $(basename "$img")"; put "$img" "govbr-ds/$(basename "$img")"
done
shopt -u nullglob nocaseglob
sanitize_css "$STAGE/govbr-ds/core.min.css"
ext_js="$(grep -oE "https?://[A-Za-z0-9.-]+" "$STAGE/govbr-ds/core.min.js" | grep -v 'www.w3.org' | sort -u || true)"
[ -z "$ext_js" ] || log "NOTE: core.min.js mentions other origins (not changed): $(printf '%s' "$ext_js" | tr '\n' ' ')"

# ---- Font Awesome Free 5 ----------------------------------------------------
P="$(fetch "@fortawesome/fontawesome-free@$FONTAWESOME_VERSION" "$FONTAWESOME_INTEGRITY")"
put "$P/css/all.min.css" fontawesome/css/all.min.css
put "$P/LICENSE.txt" fontawesome/LICENSE.txt
for f in fa-brands-400 fa-regular-400 fa-solid-900; do
  put "$P/webfonts/$f.woff2" "fontawesome/webfonts/$f.woff2"
  put "$P/webfonts/$f.woff" "fontawesome/webfonts/$f.woff"
done
# Keep only the woff2/woff sources in @font-face (the .eot/.ttf/.svg are not shipped).
sed -E -i \
  -e 's|src:url\(\.\./webfonts/[^)]*\.eot\);||g' \
  -e 's|url\(\.\./webfonts/[^)]*\.eot\?#iefix\) format\("embedded-opentype"\),||g' \
  -e 's|,url\(\.\./webfonts/[^)]*\.ttf\) format\("truetype"\)||g' \
  -e 's|,url\(\.\./webfonts/[^)]*\.svg#fontawesome\) format\("svg"\)||g' \
  "$STAGE/fontawesome/css/all.min.css"
sanitize_css "$STAGE/fontawesome/css/all.min.css"

# ---- Raleway (also declared as "Rawline") -----------------------------------
P="$(fetch "@fontsource/raleway@$RALEWAY_VERSION" "$RALEWAY_INTEGRITY")"
put "$P/LICENSE" raleway/LICENSE
unicode_range() { # unicode_range SUBSET -> value from the package's own CSS
  awk -v tag="/* raleway-$1-400-normal */" '
    index($0, tag) { hit = 1 }
    hit && /unicode-range:/ { sub(/.*unicode-range:[[:space:]]*/, ""); sub(/;.*/, ""); print; exit }
  ' "$P/400.css"
}
declare -A RANGE
for s in "${RALEWAY_SUBSETS[@]}"; do
  RANGE[$s]="$(unicode_range "$s")"
  [ -n "${RANGE[$s]}" ] || die "no unicode-range for subset $s in @fontsource/raleway"
done
for s in "${RALEWAY_SUBSETS[@]}"; do
  for w in "${RALEWAY_WEIGHTS[@]}"; do
    for st in "${RALEWAY_STYLES[@]}"; do
      f="raleway-$s-$w-$st.woff2"
      put "$P/files/$f" "raleway/$f"
    done
  done
done
{
  echo "/* Generated by scripts/vendor-static.sh from @fontsource/raleway $RALEWAY_VERSION (SIL OFL 1.1, see LICENSE)."
  echo " * The gov.br DS asks for font-family \"Rawline\" (Raleway with lining figures), falling back to \"Raleway\"."
  echo " * Both families are served from these same files; \"Rawline\" requests lining figures (lnum). */"
  for fam in Rawline Raleway; do
    for s in "${RALEWAY_SUBSETS[@]}"; do
      for w in "${RALEWAY_WEIGHTS[@]}"; do
        for st in "${RALEWAY_STYLES[@]}"; do
          echo "@font-face {"
          echo "  font-family: \"$fam\";"
          echo "  font-style: $st;"
          echo "  font-weight: $w;"
          echo "  font-display: swap;"
          echo "  src: url(\"./raleway-$s-$w-$st.woff2\") format(\"woff2\");"
          echo "  unicode-range: ${RANGE[$s]};"
          if [ "$fam" = Rawline ]; then echo "  font-feature-settings: \"lnum\" 1;"; fi
          echo "}"
        done
      done
    done
  done
  echo "/* The font-feature-settings descriptor above is honoured by Firefox only; this makes"
  echo " * figures lining everywhere, as with the real Rawline. */"
  echo "html { font-variant-numeric: lining-nums; }"
} > "$STAGE/raleway/raleway.css"

# ---- htmx -------------------------------------------------------------------
P="$(fetch "htmx.org@$HTMX_VERSION" "$HTMX_INTEGRITY")"
put "$P/dist/htmx.min.js" htmx/htmx.min.js
put "$P/LICENSE" htmx/LICENSE

# ---- Quill 2 ----------------------------------------------------------------
# dist/quill.js is the minified UMD build (defines window.Quill) with all formats,
# modules and themes. Kept byte-identical; it ends with `//# sourceMappingURL=quill.js.map`,
# which Django's ManifestStaticFilesStorage resolves, so the map is shipped too.
# Quill 2 injects no <style> element and writes no style="" markup in its UI (the
# snow tooltip is positioned through element.style, which CSP allows), so it runs
# under style-src 'self' with quill.snow.css as an ordinary stylesheet.
P="$(fetch "quill@$QUILL_VERSION" "$QUILL_INTEGRITY")"
put "$P/dist/quill.js" quill/quill.js
put "$P/dist/quill.js.map" quill/quill.js.map
put "$P/dist/quill.js.LICENSE.txt" quill/quill.js.LICENSE.txt
put "$P/dist/quill.snow.css" quill/quill.snow.css
put "$P/LICENSE" quill/LICENSE
sanitize_css "$STAGE/quill/quill.snow.css"
ext_js="$(grep -oE "https?://[A-Za-z0-9.-]+" "$STAGE/quill/quill.js" | grep -v 'www.w3.org' | sort -u || true)"
[ -z "$ext_js" ] || log "NOTE: quill.js mentions other origins (not changed): $(printf '%s' "$ext_js" | tr '\n' ' ')"

# ---- README -----------------------------------------------------------------
cat > "$STAGE/README.md" <<EOF
# static/vendor

Third-party front-end files, vendored so that the portal needs no build step and
loads nothing from another origin. **Do not edit by hand: refresh with
\`scripts/vendor-static.sh\`** (versions are pinned at the top of the script).

| package | version | files | licence |
| --- | --- | --- | --- |
| @govbr-ds/core | $GOVBR_DS_VERSION | \`govbr-ds/core.min.css\`, \`govbr-ds/core.min.js\` (+ \`.map\`), \`govbr-ds/favicon.ico\` | MIT (\`govbr-ds/LICENSE\`) |
| @fortawesome/fontawesome-free | $FONTAWESOME_VERSION | \`fontawesome/css/all.min.css\`, \`fontawesome/webfonts/*.woff2\`, \`*.woff\` | icons CC BY 4.0, fonts SIL OFL 1.1, code MIT (\`fontawesome/LICENSE.txt\`) |
| @fontsource/raleway | $RALEWAY_VERSION | \`raleway/raleway.css\` (generated), \`raleway/raleway-{latin,latin-ext}-{300..800}-{normal,italic}.woff2\` | SIL OFL 1.1 (\`raleway/LICENSE\`) |
| htmx.org | $HTMX_VERSION | \`htmx/htmx.min.js\` | 0BSD (\`htmx/LICENSE\`) |
| quill | $QUILL_VERSION | \`quill/quill.js\` (+ \`.map\`, \`quill.js.LICENSE.txt\`), \`quill/quill.snow.css\` | BSD-3-Clause (\`quill/LICENSE\`) |

Local changes made by the script: \`sourceMappingURL\` comments and any reference to
another origin are removed from the CSS; Font Awesome's \`@font-face\` rules keep only
the woff2/woff sources; \`raleway.css\` declares the families "Rawline" and "Raleway".
\`quill/quill.js\` is Quill's own browser build (UMD, \`window.Quill\`); it bundles
parchment, quill-delta, eventemitter3 and lodash-es.
EOF

# ---- Checks, permissions, swap ----------------------------------------------
while IFS= read -r -d '' css; do check_css "$css"; done < <(find "$STAGE" -name '*.css' -print0)
chmod -R u=rwX,go=rX "$STAGE"
find "$STAGE" -type f -empty | grep -q . && die "empty file in output"

if [ -e "$DEST" ]; then mv "$DEST" "$DEST.old"; fi
mv "$STAGE" "$DEST"
rm -rf "$DEST.old"

log "static/vendor/ updated:"
(cd "$DEST" && find . -type f | LC_ALL=C sort | xargs du -b | sed 's|\./||' >&2)
log "total: $(du -sb "$DEST" | cut -f1) bytes"
