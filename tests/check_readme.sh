#!/usr/bin/env bash
# The README says only what the repository holds:
# - a code block right after a line "<!-- PATH -->" is the file PATH, verbatim, and one after
#   "<!-- PATH: NAME -->" is the lines of PATH between "# README: NAME" and "# README: end"
#   (the consumer project the installed-package check builds, examples/consumer/); every such
#   region of a file under examples/ is shown in the README;
# - find_package(fftconv X.Y) names the version in include/fftconv/version.hpp, in the README and
#   in examples/;
# - no path leads outside the repository (../something/), and every repository path it names
#   (bench/..., docs/..., examples/..., tests/..., tools/..., ...) exists (a pattern: some file).
#   tests/check_readme.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
readme=README.md
failed=0
fail() {
  echo "check_readme: $*" >&2
  failed=1
}

# The lines of FILE between "# README: NAME" and "# README: end".
region() {
  awk -v name="$2" '$0 == "# README: end" { inside = 0 } inside { print } $0 == "# README: " name { inside = 1; found = 1 }
    END { exit found ? 0 : 1 }' "$1"
}

# Every marked code block: "LINE<TAB>MARKER" for each marker line followed by a fence.
markers=$(awk '/^<!-- .* -->$/ { marker = $0; line = NR; next }
  /^```/ && marker != "" { print line "\t" marker } { marker = "" }' "$readme")
# The regions shown, as a set: a lookup, not "printf | grep -q", whose early exit under pipefail
# fails the pipeline with SIGPIPE whenever grep matches before printf has finished writing.
declare -A shown=()
while IFS=$'\t' read -r line marker; do
  [[ -n $line ]] || continue
  target=${marker#<!-- }
  target=${target% -->}
  path=${target%%: *}
  name=
  [[ $target == *": "* ]] && name=${target#*: }
  [[ -f $path ]] || { fail "README line $line: $path does not exist"; continue; }
  block=$(awk -v start="$line" 'NR == start + 1 { next } NR > start + 1 && /^```/ { exit }
    NR > start + 1 { print }' "$readme")
  if [[ -n $name ]]; then
    want=$(region "$path" "$name") || { fail "README line $line: no region '$name' in $path"; continue; }
    shown["$path: $name"]=1
  else
    want=$(cat "$path")
  fi
  if [[ $block != "$want" ]]; then
    fail "README line $line: the code block differs from $target:"
    diff <(printf '%s\n' "$block") <(printf '%s\n' "$want") >&2 || true
  fi
done <<< "$markers"
((${#shown[@]})) || fail "no README code block is marked as a file's snippet (<!-- PATH: NAME -->)"

while IFS= read -r file; do
  while IFS= read -r name; do
    [[ -n $name ]] || continue
    [[ -n ${shown["$file: $name"]+x} ]] ||
      fail "$file: region '$name' is not shown in the README (<!-- $file: $name -->)"
  done < <(sed -n 's/^# README: \(.*\)$/\1/p' "$file" | grep -vx end || true)
done < <(grep -rl '^# README: ' examples || true)

# find_package(fftconv X.Y) against the version header.
version=$(awk '/#define FFTCONV_VERSION_MAJOR/ { major = $3 } /#define FFTCONV_VERSION_MINOR/ { minor = $3 }
  END { print major "." minor }' include/fftconv/version.hpp)
while IFS= read -r hit; do
  [[ -n $hit ]] || continue
  [[ $hit =~ find_package\(fftconv\ ([0-9.]+) ]] && [[ ${BASH_REMATCH[1]} == "$version" ]] ||
    fail "$hit: the version is $version (include/fftconv/version.hpp)"
done < <(grep -rnoE 'find_package\(fftconv [0-9.]+' "$readme" examples || true)

# Paths: nothing outside the repository; the repository's own paths exist.
while IFS= read -r hit; do
  [[ -n $hit ]] && fail "README line ${hit%%:*}: ${hit#*:} is outside the repository"
done < <(grep -noE '(\.\./)+[A-Za-z0-9_.-]+/' "$readme" || true)
top='bench|cmake|docs|examples|include|src|tests|tools|\.ci'
while IFS=: read -r line match; do
  [[ -n $line ]] || continue
  path=$(grep -oE "(${top})/.*" <<< "$match")
  compgen -G "$path" > /dev/null || fail "README line $line: $path does not exist in the repository"
done < <(grep -noE "(^|[^A-Za-z0-9_./-])(${top})/[A-Za-z0-9_./*-]*[A-Za-z0-9_/*]" "$readme" || true)

((failed == 0)) && echo "check_readme: the README's snippets, version and paths match the repository"
exit "$failed"
