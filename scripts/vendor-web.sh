#!/usr/bin/env bash
# vendor-web.sh downloads the pinned front-end packages of the web portal from
# the npm registry and copies the few files the portal serves into
# web/static/vendor/ (see docs/web-assets.md). The output is committed: the
# build and CI never run this script.
#
#   scripts/vendor-web.sh
#
# It is re-runnable: web/static/vendor/{dsfr,leaflet,leaflet.markercluster}
# and web/static/vendor/README.md are replaced entirely on every run.
#
# To update a package: change its version and integrity below (the integrity
# is printed by `npm view <package>@<version> dist.integrity`), run the
# script, then review `git diff --stat web/static/vendor`. The script stops if
# a tarball does not match its integrity, if a file referenced by the DSFR CSS
# is missing, or if one of the icon classes below no longer exists.
#
# Needs: npm (and node), tar, grep, sed.
set -euo pipefail

DSFR_VERSION=1.15.3
DSFR_INTEGRITY=sha512-R9AALZc1LfZjtytWZMOaUIOHWTkllBZ/sZlsL8TpKZVgF3qUKXt/uNYh+L1D1Fh4p92ZqWxbtNcebsigBZe5pQ==
LEAFLET_VERSION=1.9.4
LEAFLET_INTEGRITY=sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==
MARKERCLUSTER_VERSION=1.5.3
MARKERCLUSTER_INTEGRITY=sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA==

# The DSFR icon classes the portal's templates use (utility/icons). Only their
# SVG files are kept, next to the ones the DSFR core CSS references itself.
# Add a class here (and rerun) before using it in a template: a class missing
# from this list renders no icon (its SVG answers 404).
ICON_CLASSES=(
	fr-icon-search-line
	fr-icon-download-line
	fr-icon-map-pin-2-line
	fr-icon-table-line
	fr-icon-table-2
	fr-icon-bar-chart-box-line
	fr-icon-code-s-slash-line
	fr-icon-checkbox-circle-line
	fr-icon-error-warning-line
	fr-icon-lock-line
	fr-icon-eye-line
	fr-icon-upload-line
	fr-icon-user-line
	fr-icon-logout-box-r-line
	fr-icon-account-circle-line
	fr-icon-arrow-up-line
	fr-icon-arrow-down-line
	fr-icon-filter-line
	fr-icon-external-link-line
	fr-icon-information-line
	fr-icon-file-download-line
	fr-icon-settings-5-line
	fr-icon-arrow-right-line
	fr-icon-close-line
)

ROOT=$(cd "$(dirname "$0")/.." && pwd)
VENDOR=$ROOT/web/static/vendor
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

die() { echo "vendor-web: $*" >&2; exit 1; }

# fetch PACKAGE VERSION INTEGRITY DIR: npm pack the tarball, check it, and
# extract it into $TMP/DIR (the files land in $TMP/DIR/package/).
fetch() {
	local pkg=$1 version=$2 integrity=$3 dir=$4 tgz got
	tgz=$(cd "$TMP" && npm pack --silent --ignore-scripts "$pkg@$version" | tail -n1)
	[ -f "$TMP/$tgz" ] || die "npm pack $pkg@$version produced no tarball"
	got=$(node -e 'const c=require("crypto"),f=require("fs");
process.stdout.write("sha512-"+c.createHash("sha512").update(f.readFileSync(process.argv[1])).digest("base64"))' "$TMP/$tgz")
	[ "$got" = "$integrity" ] || die "$pkg@$version: integrity $got, expected $integrity"
	mkdir -p "$TMP/$dir"
	tar -xzf "$TMP/$tgz" -C "$TMP/$dir"
	echo "vendor-web: $pkg@$version ($integrity)"
}

# copy SRC_ROOT REL DEST_ROOT: copy SRC_ROOT/REL to DEST_ROOT/REL.
copy() {
	[ -f "$1/$2" ] || die "missing $2 in $1"
	mkdir -p "$(dirname "$3/$2")"
	cp "$1/$2" "$3/$2"
}

# css_urls FILE: the url(...) references of a CSS file that are not data:
# URLs or fragments (IE behaviors), one a line, without quotes.
css_urls() {
	grep -o 'url([^)]*)' "$1" | sed -e 's/^url(//' -e 's/)$//' -e "s/^[\"']//" -e "s/[\"']\$//" |
		grep -v -e '^data:' -e '^#' | sort -u || true
}

fetch @gouvfr/dsfr "$DSFR_VERSION" "$DSFR_INTEGRITY" dsfr
fetch leaflet "$LEAFLET_VERSION" "$LEAFLET_INTEGRITY" leaflet
fetch leaflet.markercluster "$MARKERCLUSTER_VERSION" "$MARKERCLUSTER_INTEGRITY" markercluster

# Everything is assembled in $STAGE first: web/static/vendor changes only if
# the whole run succeeds.
STAGE=$TMP/vendor
mkdir -p "$STAGE/dsfr" "$STAGE/leaflet/images" "$STAGE/leaflet.markercluster"

# --- DSFR ---------------------------------------------------------------
PKG=$TMP/dsfr/package
DIST=$PKG/dist
OUT=$STAGE/dsfr
for f in dsfr.min.css dsfr.module.min.js dsfr.nomodule.min.js utility/icons/icons.min.css; do
	copy "$DIST" "$f" "$OUT"
done
cp "$PKG/LICENSE.md" "$OUT/LICENSE.md"
# LICENSE.md links to the terms of use (modalités d'utilisation) there.
copy "$PKG" doc/legal/cgu.md "$OUT"
cp -R "$DIST/favicon" "$OUT/favicon"

# Fonts: woff2 only; a woff is kept only if it has no woff2 twin. The
# @font-face rules list woff2 first, so browsers never ask for the woff.
mkdir -p "$OUT/fonts"
for f in "$DIST"/fonts/*; do
	case $f in
	*.woff2) cp "$f" "$OUT/fonts/" ;;
	*.woff) [ -f "${f}2" ] || cp "$f" "$OUT/fonts/" ;;
	esac
done

# Every file the core CSS references (icons of the components, fonts).
fonts_skipped=0
core_icons=0
while IFS= read -r u; do
	case $u in
	*..* | /* | *:*) die "unexpected url($u) in dsfr.min.css" ;;
	fonts/*.woff)
		[ -f "$DIST/${u}2" ] || die "no woff2 for $u"
		fonts_skipped=$((fonts_skipped + 1))
		continue ;;
	icons/*) core_icons=$((core_icons + 1)) ;;
	esac
	copy "$DIST" "$u" "$OUT"
done < <(css_urls "$DIST/dsfr.min.css")

# The SVG of each icon class we use, as utility/icons/icons.min.css names it
# (relative to utility/icons/, so ../../icons/...).
ICONS_CSS=$DIST/utility/icons/icons.min.css
icon_list=""
for cls in "${ICON_CLASSES[@]}"; do
	u=$(grep -o "\\.$cls:after,\\.$cls:before{[^}]*}" "$ICONS_CSS" | grep -o 'url([^)]*)' | head -n1 |
		sed -e 's/^url(//' -e 's/)$//' -e "s/^[\"']//" -e "s/[\"']\$//") || true
	case $u in
	../../icons/*.svg) ;;
	"") die "icon class $cls not found in utility/icons/icons.min.css" ;;
	*) die "unexpected url($u) for $cls" ;;
	esac
	copy "$DIST" "${u#../../}" "$OUT"
	icon_list="$icon_list- \`$cls\`: \`${u#../../}\`
"
done
svg_count=$(find "$OUT/icons" -name '*.svg' | wc -l | tr -d ' ')
svg_total=$(find "$DIST/icons" -name '*.svg' | wc -l | tr -d ' ')

# --- Leaflet ------------------------------------------------------------
PKG=$TMP/leaflet/package
for f in leaflet.js leaflet.css; do copy "$PKG/dist" "$f" "$STAGE/leaflet"; done
cp "$PKG"/dist/images/* "$STAGE/leaflet/images/"
cp "$PKG/LICENSE" "$STAGE/leaflet/LICENSE"
for u in $(css_urls "$STAGE/leaflet/leaflet.css"); do
	[ -f "$STAGE/leaflet/$u" ] || die "leaflet.css references missing $u"
done

# --- Leaflet.markercluster -------------------------------------------------
PKG=$TMP/markercluster/package
for f in leaflet.markercluster.js MarkerCluster.css MarkerCluster.Default.css; do
	copy "$PKG/dist" "$f" "$STAGE/leaflet.markercluster"
done
cp "$PKG/MIT-LICENCE.txt" "$STAGE/leaflet.markercluster/LICENSE"

# --- README -------------------------------------------------------------
cat >"$STAGE/README.md" <<EOF
# Vendored front-end packages

Generated by \`scripts/vendor-web.sh\`; do not edit these files by hand (a
rerun replaces them). Sizes and how to update: \`docs/web-assets.md\`.

| Package | Version | Licence | Directory |
|---|---|---|---|
| [@gouvfr/dsfr](https://www.npmjs.com/package/@gouvfr/dsfr) (Système de Design de l'État) | $DSFR_VERSION | Etalab-2.0, with terms of use restricting who may use it (\`dsfr/LICENSE.md\`, \`dsfr/doc/legal/cgu.md\`) | \`dsfr/\` |
| [leaflet](https://www.npmjs.com/package/leaflet) | $LEAFLET_VERSION | BSD-2-Clause (\`leaflet/LICENSE\`) | \`leaflet/\` |
| [leaflet.markercluster](https://www.npmjs.com/package/leaflet.markercluster) | $MARKERCLUSTER_VERSION | MIT (\`leaflet.markercluster/LICENSE\`) | \`leaflet.markercluster/\` |

Tarball integrity (checked by the script):

- @gouvfr/dsfr@$DSFR_VERSION \`$DSFR_INTEGRITY\`
- leaflet@$LEAFLET_VERSION \`$LEAFLET_INTEGRITY\`
- leaflet.markercluster@$MARKERCLUSTER_VERSION \`$MARKERCLUSTER_INTEGRITY\`

## What was kept

Files are copied unmodified, at the paths they have under each package's
\`dist/\`, so that the relative \`url(...)\` references of the CSS resolve.

**dsfr/** (from \`dist/\`):

- \`dsfr.min.css\` (all components, including the legacy and print rules),
  \`dsfr.module.min.js\` and \`dsfr.nomodule.min.js\`;
- \`fonts/\`: the Marianne and Spectral \`.woff2\` files. The \`.woff\` files
  were dropped ($fonts_skipped \`url(fonts/*.woff)\` in \`dsfr.min.css\` are
  second choices after the woff2 in the same \`@font-face\`, never requested by
  a browser that reads woff2);
- \`icons/\`: $svg_count SVG files: the $core_icons that \`dsfr.min.css\` itself
  references (components: alerts, close buttons, links, breadcrumb,
  pagination, social links...), plus the icons of the classes below;
- \`utility/icons/icons.min.css\`: every \`fr-icon-*\` class, but only the
  classes listed below have their SVG here (any other one would 404: add it to
  \`ICON_CLASSES\` in the script and rerun);
- \`favicon/\` (the whole folder), \`LICENSE.md\` and \`doc/legal/cgu.md\`
  (the terms of use it links to).

Icon classes kept (class: file):

$icon_list
**leaflet/**: \`leaflet.js\`, \`leaflet.css\`, \`images/\` (layer control and
default marker images), \`LICENSE\`.

**leaflet.markercluster/**: \`leaflet.markercluster.js\`, \`MarkerCluster.css\`,
\`MarkerCluster.Default.css\`, \`LICENSE\` (the package's \`MIT-LICENCE.txt\`).

Dropped: sources, source maps (the minified JS still ends with a
\`sourceMappingURL\` comment, which only developer tools follow), non-minified
builds, the split DSFR CSS (core, components, legacy, print, analytics),
the other icons (the package has $svg_total), pictograms, artwork, documentation and
examples.
EOF

mkdir -p "$VENDOR"
for d in dsfr leaflet leaflet.markercluster; do
	rm -rf "${VENDOR:?}/$d"
	cp -R "$STAGE/$d" "$VENDOR/$d"
done
cp "$STAGE/README.md" "$VENDOR/README.md"
echo "vendor-web: done"
(cd "$VENDOR" && du -sh dsfr leaflet leaflet.markercluster)
