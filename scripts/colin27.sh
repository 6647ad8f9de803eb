#!/usr/bin/env bash
# The real-data experiment of the README: segmentation of the Colin27 brain MRI (Debian's mricron-data: ch2.nii.gz)
# into 4 merged AAL classes from 4 labelled axial slices, COVER-pre-trained initialisation vs training from scratch,
# several fine-tuning seeds, scored on held-out slices. Reproducible from a clean clone:
#
#   bash scripts/colin27.sh            # the full experiment (hours on 2 cores; scale with the variables below)
#   bash scripts/colin27.sh --quick    # a seconds-scale smoke run of the same pipeline (tiny network, 3 steps)
#   bash scripts/colin27.sh --task inia19   # the second task: the INIA19 rhesus macaque template (same package) and
#                                           # its NeuroMaps atlas merged into 4 classes (hemisphere x front/back half)
#
# Environment (defaults in brackets): OUT [cover4j-out/TASK, --quick: cover4j-out/TASK-quick],
# PRETRAIN_STEPS [600; quick 3], FT_STEPS [300; quick 3], SEEDS ["1 2 3"; quick "1"], THREADS [all cores],
# CHANNELS [the default U-Net; quick 8,16,32,64,128,64,32,16,8], PATCH [96], BATCH [4], VAL_EVERY [50, at most FT_STEPS],
# PRETRAIN_SIZE [128], PRETRAIN_EVERY [1], TRAIN / VAL / TEST / PRETRAIN_FROM / PRETRAIN_TO (slice indices, below),
# COVER4J [./cover4j] (e.g. "java -cp target/cover4j-0.1.0.jar:target/lib/* org.cover4j.cli.Main"),
# COVER4J_DEBIAN_CACHE [~/.cache/cover4j/debian].
# Writes everything under OUT (results.md, commands.txt, timings.tsv, logs/, data/, pretrain/, runs/); deletes nothing
# outside it. An OUT that already holds files is refused; --force replaces it, but only if this script created it.
set -euo pipefail

usage() { sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "colin27: $*" >&2; exit 2; }

quick=0
force=0
task=colin27
expect_task=0
for a in "$@"; do
  if [ "$expect_task" = 1 ]; then task="$a"; expect_task=0; continue; fi
  case "$a" in
    --quick) quick=1 ;;
    --force) force=1 ;;
    --task) expect_task=1 ;;
    -h|--help) usage; exit 0 ;;
    *) die "unknown argument '$a' (use --task colin27|inia19, --quick, --force or --help)" ;;
  esac
done
[ "$expect_task" = 0 ] || die "--task needs a value: colin27 or inia19"
case "$task" in colin27|inia19) ;; *) die "--task must be colin27 or inia19, got '$task'" ;; esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$here"

if [ "$quick" = 1 ]; then
  OUT="${OUT:-cover4j-out/$task-quick}"
  PRETRAIN_STEPS="${PRETRAIN_STEPS:-3}"
  FT_STEPS="${FT_STEPS:-3}"
  SEEDS="${SEEDS:-1}"
  CHANNELS="${CHANNELS:-8,16,32,64,128,64,32,16,8}"
fi
OUT="${OUT:-cover4j-out/$task}"
PRETRAIN_STEPS="${PRETRAIN_STEPS:-600}"
FT_STEPS="${FT_STEPS:-300}"
SEEDS="${SEEDS:-1 2 3}"
THREADS="${THREADS:-$(nproc 2>/dev/null || echo 2)}"
CHANNELS="${CHANNELS:-}"
PATCH="${PATCH:-96}"
BATCH="${BATCH:-4}"
VAL_EVERY="${VAL_EVERY:-50}"
[ "$VAL_EVERY" -gt "$FT_STEPS" ] && VAL_EVERY="$FT_STEPS"
PRETRAIN_SIZE="${PRETRAIN_SIZE:-128}"
PRETRAIN_EVERY="${PRETRAIN_EVERY:-1}"
# Axial slice indices k (1 mm apart). The merged AAL classes occupy k = 10..157 (cerebellum 10..77, deep grey nuclei
# 60..97, cerebrum 28..157); 20..150 keeps slices with a fair amount of labelled tissue. Train slices are spread over
# that range (69 is the one slice holding all four classes); validation slices sit half-way between them; test slices
# fill the gaps, at least 3 slices away from every train and validation slice.
if [ "$task" = colin27 ]; then
  TRAIN="${TRAIN:-36,69,102,134}"
  VAL="${VAL:-52,85,118}"
  TEST="${TEST:-24,30,44,58,63,75,79,91,96,110,125,142,148}"
  PRETRAIN_FROM="${PRETRAIN_FROM:-20}"
  PRETRAIN_TO="${PRETRAIN_TO:-150}"
else
  # INIA19: 0.5 mm axial slices k; the atlas holds brain at k = 3..112, substantially from about 20 to 105.
  TRAIN="${TRAIN:-34,52,70,88}"
  VAL="${VAL:-43,61,79}"
  TEST="${TEST:-24,29,38,47,56,65,74,83,92,96,100,104}"
  PRETRAIN_FROM="${PRETRAIN_FROM:-20}"
  PRETRAIN_TO="${PRETRAIN_TO:-108}"
fi
read -r -a C <<< "${COVER4J:-./cover4j}"   # read -a: no glob expansion of a "-cp dir/*" class path
cache="${COVER4J_DEBIAN_CACHE:-$HOME/.cache/cover4j/debian}"
templates="$cache/mricron-data/usr/share/mricron/templates"
marker=".colin27-experiment"
command -v python3 >/dev/null || die "python3 is needed to check the data and summarise the results"

# --- the output folder: never mix with, or delete, anything this script did not create -------------------------------
if [ -e "$OUT" ] && [ -n "$(ls -A "$OUT" 2>/dev/null)" ]; then
  [ "$force" = 1 ] || die "$OUT already holds files; use another OUT=..., or --force to replace an earlier run of this script"
  [ -f "$OUT/$marker" ] || die "$OUT was not created by this script (no $OUT/$marker); refusing to delete it with --force"
  rm -rf -- "$OUT"
fi
mkdir -p "$OUT/logs"
touch "$OUT/$marker"
data="$OUT/data"
: > "$OUT/commands.txt"
printf 'step\tseconds\n' > "$OUT/timings.tsv"

now() { date +%s.%N; }
# cover4j ARGS...: the program (COVER4J); run NAME cover4j ARGS...: log the command, keep its output, time it.
cover4j() { "${C[@]}" "$@"; }
run() {
  local name="$1"; shift
  echo "\$ $*" | tee -a "$OUT/commands.txt"
  local t0; t0=$(now)
  "$@" 2>&1 | tee "$OUT/logs/$name.log"
  printf '%s\t%s\n' "$name" "$(python3 -c "print(f'{$(now) - $t0:.1f}')")" >> "$OUT/timings.tsv"
}
t_start=$(now)

# --- 1. data -----------------------------------------------------------------------------------------------------------
bash .ci/fetch-test-data
mkdir -p "$data"
if [ "$task" = colin27 ]; then
echo "== 1. data: Debian mricron-data (Colin27 'ch2' T1 and the AAL atlas on its grid)"
for f in ch2.nii.gz aal.nii.gz ch2bet.nii.gz; do
  [ -f "$templates/$f" ] || die "$templates/$f not found: could not fetch Debian's mricron-data (apt-get download mricron-data)"
done
run info cover4j info --json "$templates/ch2.nii.gz" "$templates/aal.nii.gz" "$templates/ch2bet.nii.gz" > /dev/null
python3 - "$OUT/logs/info.log" <<'EOF'
import json, sys
docs = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
if len(docs) != 3:
    sys.exit("colin27: cover4j info did not describe the three files; its output:\n" + open(sys.argv[1]).read())
ref = docs[0]
for d in docs:
    if d["shape"] != [181, 217, 181] or d["affine"] != ref["affine"]:
        sys.exit(f"colin27: {d['file']}: shape {d['shape']} / affine {d['affine']} differ from ch2's (181,217,181) grid")
print(f"   same grid: shape {ref['shape']}, spacing {ref['spacing']}, {ref['orientation']}")
EOF

# --- 2. AAL (116 regions) merged into 4 classes -------------------------------------------------------------------------
echo "== 2. label map: AAL 1-90 odd (left) -> 1, even (right) -> 2, 71-78 (caudate, putamen, pallidum, thalamus) -> 3, 91-116 (cerebellum, vermis) -> 4"
if [ -f "$templates/aal.nii.txt" ]; then
  python3 - "$templates/aal.nii.txt" <<'EOF'
import sys
names = {}
for line in open(sys.argv[1]):
    f = line.split()
    if len(f) >= 2 and f[0].isdigit():
        names[int(f[0])] = f[1]
bad = []
for k in range(1, 91):
    if not names.get(k, "").endswith("_L" if k % 2 else "_R"):
        bad.append(f"{k} {names.get(k)}")
for k in range(71, 79):
    if names.get(k, "").split("_")[0] not in ("Caudate", "Putamen", "Pallidum", "Thalamus"):
        bad.append(f"{k} {names.get(k)}")
for k in range(91, 117):
    if not names.get(k, "").startswith(("Cerebelum", "Vermis")):
        bad.append(f"{k} {names.get(k)}")
if bad or len(names) != 116:
    sys.exit(f"colin27: {sys.argv[1]} does not follow the standard AAL order assumed here ({len(names)} names): {bad[:5]}")
print("   checked against aal.nii.txt: 116 regions, odd = left, even = right, 71-78 deep grey nuclei, 91-116 cerebellum + vermis")
EOF
else
  echo "   (no aal.nii.txt in the package: the standard AAL order is assumed)"
fi
mkdir -p "$data"
{
  echo "aal,class"
  for k in $(seq 1 116); do
    if [ "$k" -ge 91 ]; then c=4
    elif [ "$k" -ge 71 ] && [ "$k" -le 78 ]; then c=3
    elif [ $((k % 2)) -eq 1 ]; then c=1
    else c=2; fi
    echo "$k,$c"
  done
} > "$data/aal-to-4-classes.csv"
image="$templates/ch2.nii.gz"; label="$templates/aal.nii.gz"; labelMap="$data/aal-to-4-classes.csv"
else
echo "== 1. data: Debian mricron-data (the INIA19 rhesus macaque T1 template and its NeuroMaps atlas, 0.5 mm)"
image="$templates/inia19-t1-brain.nii.gz"; label="$templates/inia19-NeuroMaps.nii.gz"; labelMap="$data/neuromaps-to-4-classes.csv"
for f in "$image" "$label"; do
  [ -f "$f" ] || die "$f not found: could not fetch Debian's mricron-data (apt-get download mricron-data)"
done
run info cover4j info "$image" "$label" > /dev/null
# --- 2. NeuroMaps (724 regions: 1-605 left, 1001-1605 right) merged into 4 classes --------------------------------------
# Our choice: hemisphere x the half (posterior, anterior) of the brain that holds the region's centre, split at the
# median y of all labelled voxels: 1 left posterior, 2 left anterior, 3 right posterior, 4 right anterior. Python's
# standard library reads the int16 volume (no NumPy needed).
echo "== 2. label map: NeuroMaps regions by hemisphere (1-605 left, 1001-1605 right) and the half holding their centre"
python3 - "$label" "$labelMap" <<'EOF'
import array, gzip, struct, sys
raw = gzip.open(sys.argv[1]).read()
dims = struct.unpack("<8h", raw[40:56]); dtype = struct.unpack("<h", raw[70:72])[0]; offset = int(struct.unpack("<f", raw[108:112])[0])
if dims[0] != 3 or dtype != 4:
    sys.exit(f"inia19: {sys.argv[1]}: expected a 3D int16 volume, got dims {dims} datatype {dtype}")
nx, ny, nz = dims[1:4]
vox = array.array("h"); vox.frombytes(raw[offset:offset + 2 * nx * ny * nz])
if sys.byteorder != "little": vox.byteswap()
ysum, count, yhist = {}, {}, [0] * ny
for i, v in enumerate(vox):
    if v > 0:
        y = (i // nx) % ny
        ysum[v] = ysum.get(v, 0) + y; count[v] = count.get(v, 0) + 1; yhist[y] += 1
half, seen, ymid = sum(yhist) / 2, 0, 0
for y, c in enumerate(yhist):
    seen += c
    if seen >= half: ymid = y; break
with open(sys.argv[2], "w") as f:
    f.write("from,to\n")
    for v in sorted(count):
        left = v < 1000
        anterior = ysum[v] / count[v] >= ymid
        f.write(f"{v},{(1 if left else 3) + (1 if anterior else 0)}\n")
print(f"   {len(count)} regions; the brain's median y is voxel {ymid}")
EOF
fi

# --- 3. slices -----------------------------------------------------------------------------------------------------------
echo "== 3. axial slices: train $TRAIN, val $VAL, test $TEST; unlabelled $PRETRAIN_FROM..$PRETRAIN_TO every $PRETRAIN_EVERY"
python3 - "$TRAIN" "$VAL" "$TEST" <<'EOF'
import sys
sets = {name: [int(x) for x in arg.split(",")] for name, arg in zip(("TRAIN", "VAL", "TEST"), sys.argv[1:])}
for a in sets:
    for b in sets:
        if a < b:
            close = [(i, j) for i in sets[a] for j in sets[b] if abs(i - j) <= 2]
            if close:
                sys.exit(f"colin27: {a} and {b} hold slices within 2 of each other: {close}; neighbouring slices would leak across sets")
EOF
for set in train val test; do
  case "$set" in train) idx="$TRAIN" ;; val) idx="$VAL" ;; test) idx="$TEST" ;; esac
  run "slices-$set" cover4j slices --image "$image" --label "$label" \
    --label-map "$labelMap" --axis 2 --indices "$idx" --out "$data/$set"
done
run slices-unlabelled cover4j slices --image "$image" --axis 2 \
  --from "$PRETRAIN_FROM" --to "$PRETRAIN_TO" --every "$PRETRAIN_EVERY" --out "$data/unlabelled"

# --- 4. COVER pre-training on the unlabelled slices ---------------------------------------------------------------------
ch=()
[ -n "$CHANNELS" ] && ch=(--channels "$CHANNELS")
echo "== 4. COVER pre-training: $PRETRAIN_STEPS steps"
run pretrain cover4j pretrain --data "$data/unlabelled/images" --dim 2 --size "$PRETRAIN_SIZE" --batch 4 \
  --steps "$PRETRAIN_STEPS" --seed 0 --threads "$THREADS" "${ch[@]}" --out "$OUT/pretrain"

# --- 5. fine-tuning from COVER and from scratch, same settings, several seeds -----------------------------------------
for seed in $SEEDS; do
  for init in cover scratch; do
    echo "== 5. fine-tuning seed $seed, $init: $FT_STEPS steps"
    initArgs=()
    [ "$init" = cover ] && initArgs=(--init "$OUT/pretrain")
    run "finetune-$init-$seed" cover4j finetune --task seg --train "$data/train" --val "$data/val" --test "$data/test" \
      "${initArgs[@]}" --classes 5 --patch "$PATCH" --batch "$BATCH" --steps "$FT_STEPS" --val-every "$VAL_EVERY" \
      --seed "$seed" --threads "$THREADS" "${ch[@]}" --out "$OUT/runs/$init-$seed"
  done
done

# --- 6. summary ----------------------------------------------------------------------------------------------------------
echo "== 6. summary"
printf 'total\t%s\n' "$(python3 -c "print(f'{$(now) - $t_start:.1f}')")" >> "$OUT/timings.tsv"
TASK="$task"
export TASK OUT SEEDS PRETRAIN_STEPS PRETRAIN_SIZE FT_STEPS PATCH BATCH VAL_EVERY CHANNELS THREADS TRAIN VAL TEST
python3 - <<'EOF'
import json, math, os, platform, subprocess
E = os.environ
out, seeds = E["OUT"], E["SEEDS"].split()
colin = E["TASK"] == "colin27"
classes = ({"1": "left cerebrum", "2": "right cerebrum", "3": "deep grey nuclei", "4": "cerebellum + vermis"} if colin
           else {"1": "left posterior", "2": "left anterior", "3": "right posterior", "4": "right anterior"})

def num(x):
    if x is None: return math.nan
    return float(x)  # Jackson writes NaN/Infinity as strings; float() reads both

def stats(v):
    v = [x for x in v if not math.isnan(x)]
    if not v: return math.nan, math.nan
    m = sum(v) / len(v)
    sd = math.sqrt(sum((x - m) ** 2 for x in v) / (len(v) - 1)) if len(v) > 1 else math.nan
    return m, sd

def fmt(m, sd, digits=3):
    if math.isnan(m): return "n/a"
    if math.isinf(m): return "inf"
    return f"{m:.{digits}f}" + ("" if math.isnan(sd) else f" ± {sd:.{digits}f}")

def best_val(run):
    best = (math.nan, 0)
    path = os.path.join(out, "runs", run, "metrics.csv")
    if not os.path.exists(path): return best
    rows = [l.rstrip("\n").split(",") for l in open(path)]
    head, col = rows[0], None
    for i, h in enumerate(head):
        if h.startswith("val_"): col = i
    for r in rows[1:]:
        if col is not None and col < len(r) and r[col] not in ("", "nan", "NaN"):
            v = float(r[col])
            if math.isnan(best[0]) or v > best[0]: best = (v, int(r[0]))
    return best

res = {}
for init in ("cover", "scratch"):
    for s in seeds:
        with open(os.path.join(out, "runs", f"{init}-{s}", "test", "metrics.json")) as f:
            res[(init, s)] = json.load(f)

lines = ["# Colin27 (ch2) segmentation of 4 merged AAL classes from 4 labelled axial slices: COVER vs scratch" if colin else
         "# INIA19 (rhesus macaque) segmentation of 4 merged NeuroMaps classes from 4 labelled axial slices: COVER vs scratch", ""]
try:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
except OSError:
    commit = ""
n_unlabelled = len(os.listdir(os.path.join(out, "data", "unlabelled", "images")))
lines += [f"Settings: pre-training {E['PRETRAIN_STEPS']} steps (size {E['PRETRAIN_SIZE']}, batch 4, {n_unlabelled} unlabelled slices), "
          f"fine-tuning {E['FT_STEPS']} steps (patch {E['PATCH']}, batch {E['BATCH']}, validation every {E['VAL_EVERY']} steps), "
          f"channels {E['CHANNELS'] or 'default 32,64,128,256,512,256,128,64,32'}, seeds {' '.join(seeds)}, {E['THREADS']} threads; "
          f"commit {commit or 'unknown'}, {platform.machine()}, {os.cpu_count()} cores.", "",
          f"Test set: axial slices {E['TEST']} (train {E['TRAIN']}, validation {E['VAL']}). Values are mean ± sd over fine-tuning seeds of the "
          "test-set means over slices (cover4j finetune --test: best-validation weights, Gaussian sliding window).", ""]
head = "| init | mean Dice | " + " | ".join(f"Dice {n} ({k})" for k, n in classes.items()) + " | mean HD95 (mm) | HD95 over finite slices (mm) | slices with infinite HD95 | best val Dice (step) | test mean Dice per seed |"
lines += [head, "|" + "---|" * (head.count("|") - 1)]
for init, label in (("cover", "COVER pre-trained"), ("scratch", "scratch")):
    r = [res[(init, s)] for s in seeds]
    row = [label, fmt(*stats([num(x["mean_dice"]) for x in r]))]
    for k in classes:
        row.append(fmt(*stats([num(x["per_class"][k]["dice"]) for x in r])))
    row.append(fmt(*stats([num(x["mean_hd95"]) for x in r]), 1))
    row.append(fmt(*stats([num(x["mean_hd95_finite"]) for x in r]), 1))
    row.append(", ".join(f"{x['hd95_infinite_cases']}/{x['n']}" for x in r))
    row.append(", ".join(f"{v:.3f} ({st})" for v, st in (best_val(f"{init}-{s}") for s in seeds)))
    row.append(", ".join(f"{num(x['mean_dice']):.3f}" for x in r))
    lines.append("| " + " | ".join(row) + " |")
diff = [num(res[("cover", s)]["mean_dice"]) - num(res[("scratch", s)]["mean_dice"]) for s in seeds]
m, sd = stats(diff)

def t_test(d):
    # Two-sided paired t-test; the t distribution's tail by Simpson's rule on its density (standard library only).
    n = len(d)
    if n < 2 or not sd > 0: return math.nan, math.nan
    t = m / (sd / math.sqrt(n)); k = n - 1
    c = math.exp(math.lgamma((k + 1) / 2) - math.lgamma(k / 2)) / math.sqrt(k * math.pi)
    f = lambda x: c * (1 + x * x / k) ** (-(k + 1) / 2)
    a, steps = abs(t), 20000
    h = a / steps
    inner = f(0) + f(a) + sum((4 if i % 2 else 2) * f(i * h) for i in range(1, steps))
    return t, max(0.0, 1 - 2 * inner * h / 3)

t, p = t_test(diff)
lines += ["", f"Paired difference COVER − scratch in test mean Dice (same seed): {fmt(m, sd)} "
          f"({sum(d > 0 for d in diff)} of {len(diff)} seeds in favour of COVER; paired t = {t:.2f}, two-sided p = {p:.4f}).", "",
          ("Caveats: all slices come from one subject (Colin27), so train and test slices are correlated even with the "
           "3-slice gaps; the unlabelled pre-training slices include the images (not the labels) of the validation and test "
           "slices; AAL labels only grey matter, so white matter is background; " if colin else
           "Caveats: all slices come from one template (INIA19, an average of rhesus macaque brains), so train and test slices "
           "are correlated even with the 4-slice gaps; the unlabelled pre-training slices include the images (not the labels) "
           "of the validation and test slices; the 4 classes (hemisphere × front/back half of the brain holding each "
           "NeuroMaps region's centre) are our choice; ") +
          "a class absent from both a slice's labels "
          "and its prediction counts as Dice 1 for that slice (MONAI's convention), and HD95 is infinite for a slice where "
          "exactly one of them is empty (see hd95_infinite_cases in each test/metrics.json).", "",
          "## Commands", "", "```", open(os.path.join(out, "commands.txt")).read().rstrip(), "```", "",
          "## Timings (seconds)", "", "| step | seconds |", "|---|---|"]
for l in open(os.path.join(out, "timings.tsv")).read().splitlines()[1:]:
    lines.append("| " + " | ".join(l.split("\t")) + " |")
open(os.path.join(out, "results.md"), "w").write("\n".join(lines) + "\n")
EOF
echo
cat "$OUT/results.md"
echo
echo "$task: results in $OUT/results.md"
