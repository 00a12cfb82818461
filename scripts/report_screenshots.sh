#!/usr/bin/env bash
# Renders `etpu report` pages in a real browser (Debian's chromium, headless) and checks each one:
# chromium exits 0, the page logs nothing to the console (no script error, no resource it failed
# to load), and the screenshot is not blank (png_stats: pixel statistics).
#
#   scripts/report_screenshots.sh --etpu build/tools/etpu --png-stats build/tests/report/png_stats \
#       [--shared ../shared] [--out DIR] [--docs DIR]
#
# Four reports: a fully cached model, a streaming one (EfficientNet-EdgeTpu L from etpu's zoo),
# a co-compiled set and a Google-compiled file. --docs DIR also writes docs-sized screenshots of
# the first two (docs/report-cached.png, docs/report-streaming.png; downscaled with Pillow).
set -euo pipefail
etpu="" png_stats="" shared="$(cd "$(dirname "$0")/../.." && pwd)/shared" out="" docs=""
while [ $# -gt 0 ]; do
  case "$1" in
    --etpu) etpu="$2"; shift 2 ;;
    --png-stats) png_stats="$2"; shift 2 ;;
    --shared) shared="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --docs) docs="$2"; shift 2 ;;
    *) echo "report_screenshots.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -x "$etpu" ] || { echo "report_screenshots.sh: --etpu must name the built etpu" >&2; exit 2; }
[ -x "$png_stats" ] || { echo "report_screenshots.sh: --png-stats must name the built png_stats" >&2; exit 2; }
command -v chromium > /dev/null || { echo "report_screenshots.sh: chromium is not installed (scripts/install-deps.sh)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
[ -n "$out" ] || out="$work/out"
mkdir -p "$out"
# The reports name their inputs as given: run from $work with short relative names.
for f in mobilenet_v1_0.25_128_quant.tflite mobilenet_v2_1.0_224_quant.tflite mobilenet_v1_0.75_192_quant.tflite \
         posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite mobilenet_v2_1.0_224_quant_edgetpu.tflite; do
  [ -f "$shared/testdata/models/$f" ] || { echo "report_screenshots.sh: missing $shared/testdata/models/$f" >&2; exit 2; }
  ln -s "$shared/testdata/models/$f" "$work/$f"
done
"$etpu" zoo efficientnet_edgetpu_l -o "$work" > /dev/null
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
case "$docs" in /*|"") ;; *) docs="$PWD/$docs" ;; esac
case "$etpu" in */*) etpu="$(cd "$(dirname "$etpu")" && pwd)/$(basename "$etpu")" ;; esac
case "$png_stats" in */*) png_stats="$(cd "$(dirname "$png_stats")" && pwd)/$(basename "$png_stats")" ;; esac
cd "$work"

failures=0
render() {  # render NAME HEIGHT MODEL...
  local name="$1" height="$2"; shift 2
  local start=$SECONDS
  if ! "$etpu" report "$@" -o "$out/$name.html"; then
    echo "FAIL $name: etpu report exited non-zero"; failures=$((failures + 1)); return
  fi
  local log="$work/$name.log" rc=0
  timeout 60 chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --no-first-run --disable-extensions \
    --disable-background-networking --user-data-dir="$work/profile-$name" --enable-logging=stderr --v=0 \
    --window-size="1280,$height" --screenshot="$out/$name.png" "file://$out/$name.html" > "$log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    echo "FAIL $name: chromium exited $rc"; cat "$log"; failures=$((failures + 1)); return
  fi
  if grep -E ":CONSOLE|Failed to load resource|net::ERR_" "$log"; then
    echo "FAIL $name: the page wrote to the browser console"; failures=$((failures + 1)); return
  fi
  if ! "$png_stats" "$out/$name.png"; then
    echo "FAIL $name: the screenshot is blank or unreadable"; failures=$((failures + 1)); return
  fi
  echo "ok   $name ($((SECONDS - start)) s)"
}
render cached 1000 mobilenet_v1_0.25_128_quant.tflite
render streaming 1000 efficientnet_edgetpu_l.tflite
render cocompiled 1000 mobilenet_v2_1.0_224_quant.tflite mobilenet_v1_0.75_192_quant.tflite \
  posenet_mobilenet_v1_075_353_481_16_quant_decoder.tflite
render google 1000 mobilenet_v2_1.0_224_quant_edgetpu.tflite

if [ -n "$docs" ] && [ "$failures" -eq 0 ]; then
  # Taller pages (down to the waterfall), halved.
  render docs-cached 2000 mobilenet_v1_0.25_128_quant.tflite
  render docs-streaming 2000 efficientnet_edgetpu_l.tflite
  for name in cached streaming; do
    /usr/bin/python3 - "$out/docs-$name.png" "$docs/report-$name.png" <<'PY'
import sys
from PIL import Image
image = Image.open(sys.argv[1]).convert("RGB")
image = image.resize((image.width // 2, image.height // 2), Image.LANCZOS)
image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(sys.argv[2], optimize=True)
PY
    echo "wrote $docs/report-$name.png"
  done
fi
[ "$failures" -eq 0 ] || { echo "report_screenshots.sh: $failures report(s) failed"; exit 1; }
