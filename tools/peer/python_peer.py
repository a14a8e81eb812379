#!/usr/bin/python3
"""The Python peer of the broker's science, to measure "alerts per CPU-second" against (issue 26).

The same work per alert as the broker's engine, written as a Python team would with the usual libraries and no Kafka:
  decode       python3-avro reads the alert (an Avro container file with its schema)
  cutouts      gunzip + astropy.io.fits for the three stamps (science, reference, difference)
  features     ~35 real/bogus features of the difference stamp and the packet in numpy (peak SNR, negative pixels,
               moments and a Gaussian fit, asymmetry, concentration, correlations, light-curve numbers)
  trees        an XGBoost model of the broker's size (600 trees, 32 leaves, 35 features), batches of --batch
  cnn          a torch model of the broker's architecture (training/train_cnn.py Braai, two convs in the first block),
               traced and frozen (batch norm folded into the convolutions), channels-last, one thread, inference
               mode, micro-batches of --cnn-batch (16, as the broker's)
  novelty      sklearn IsolationForest per subspace (6 subspaces, 64 trees, 256 samples each, as the broker's
               defaults), fitted once on the first alerts' features, scoring batches of --batch
It is not the broker's science bit for bit (the features are computed the common numpy way, the models are the same
size and shape with random or quickly fitted weights): it is the same amount of work, which is what CPU time measures.
Every library runs on one thread, as the broker's stages do on one core. Each is set up at its best as measured here:
glibc's malloc keeps freed memory instead of returning each large tensor to the kernel (without it torch's CNN spent
most of its time in page faults: 4.8 ms instead of 0.4 ms a triplet at batches of 16), and the CNN's batch is its own
(larger batches are slower per triplet once the activations leave the cache), while the trees and the forests score
large batches (sklearn's per-call overhead dominates small ones).

    ./broker simulate --count 500 --out /tmp/peer-alerts        # the generator bench e2e uses, as alert files
    /usr/bin/python3 tools/peer/python_peer.py /tmp/peer-alerts [--alerts N] [--warmup W] [--batch B] [--cnn-batch C]

Prints the CPU time per stage and per alert, and alerts per CPU-second (process CPU time: user + system).
Debian packages: python3-avro python3-astropy python3-numpy python3-xgboost python3-torch python3-sklearn.
"""
import argparse, ctypes, gzip, io, os, sys, time

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

# glibc: serve large blocks from the heap and keep freed memory (M_MMAP_THRESHOLD -3, M_TRIM_THRESHOLD -1, M_TOP_PAD -2);
# by default every large tensor is mmapped and unmapped, and each call pays page faults for fresh pages.
_libc = ctypes.CDLL("libc.so.6")
for _param, _value in ((-3, 32 << 20), (-1, (1 << 31) - 1), (-2, 256 << 20)):
    if _libc.mallopt(_param, _value) != 1:
        sys.exit(f"mallopt({_param}, {_value}) refused")

import numpy as np
import avro.datafile, avro.io
from astropy.io import fits
import torch
import xgboost
from sklearn.ensemble import IsolationForest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training"))
from train_cnn import Braai, Probability  # noqa: E402  the broker's CNN architecture

BATCH = 256  # --batch: the batch the trees and the forests score at once
CNN_BATCH = 16  # --cnn-batch: the CNN's micro-batch
N_FEATURES = 35
# Features per subspace, as src/Broker.Novelty/Forest/Subspace.cs (photometry, shape, pixels, history, context, all);
# the peer's 35 features are taken in turn (a forest's cost depends on its trees and samples, not on which columns).
SUBSPACE_WIDTHS = [9, 10, 13, 7, 9, N_FEATURES]
SUBSPACES = []
_start = 0
for _width in SUBSPACE_WIDTHS:
    SUBSPACES.append([(_start + j) % N_FEATURES for j in range(_width)] if _width != N_FEATURES else list(range(N_FEATURES)))
    _start += _width if _width != N_FEATURES else 0


def files_of(paths):
    out = []
    for p in paths:
        if os.path.isdir(p):
            for root, _, names in os.walk(p):
                out += [os.path.join(root, n) for n in sorted(names) if n.endswith(".avro")]
        else:
            out.append(p)
    return out


def decode(data):
    reader = avro.datafile.DataFileReader(io.BytesIO(data), avro.io.DatumReader())
    return next(iter(reader))


def stamp(cutout):
    raw = cutout["stampData"]
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    with fits.open(io.BytesIO(raw), memmap=False) as hdus:
        return np.asarray(hdus[0].data, dtype=np.float32)


def to63(image):
    out = np.zeros((63, 63), dtype=np.float32)
    h, w = min(63, image.shape[0]), min(63, image.shape[1])
    out[:h, :w] = image[:h, :w]
    return np.nan_to_num(out)


def features(alert, sci, ref, diff):
    c = alert["candidate"]
    d = to63(diff)
    med = np.median(d)
    mad = np.median(np.abs(d - med)) * 1.4826 + 1e-6
    z = (d - med) / mad
    cy, cx = 31, 31
    c5, c7 = z[cy - 2:cy + 3, cx - 2:cx + 3], z[cy - 3:cy + 4, cx - 3:cx + 4]
    peak = np.unravel_index(np.argmax(z[cy - 5:cy + 6, cx - 5:cx + 6]), (11, 11))
    yy, xx = np.mgrid[0:15, 0:15]
    core = np.clip(z[cy - 7:cy + 8, cx - 7:cx + 8], 0, None)
    total = core.sum() + 1e-6
    my, mx = (core * yy).sum() / total, (core * xx).sum() / total
    vy, vx = (core * (yy - my) ** 2).sum() / total, (core * (xx - mx) ** 2).sum() / total
    cxy = (core * (yy - my) * (xx - mx)).sum() / total
    sigma = np.sqrt(max((vy + vx) / 2, 1e-3))
    model = np.exp(-((yy - my) ** 2 + (xx - mx) ** 2) / (2 * sigma ** 2))
    amp = (core * model).sum() / ((model * model).sum() + 1e-6)
    resid = core - amp * model
    chi2 = (resid ** 2).sum() / core.size
    corr = np.corrcoef(core.ravel(), model.ravel())[0, 1]
    quads = [z[cy - 5:cy, cx - 5:cx].sum(), z[cy - 5:cy, cx + 1:cx + 6].sum(), z[cy + 1:cy + 6, cx - 5:cx].sum(), z[cy + 1:cy + 6, cx + 1:cx + 6].sum()]
    s, r = to63(sci), to63(ref)
    rows, cols = np.abs(z).mean(axis=1), np.abs(z).mean(axis=0)
    f = [
        z[cy, cx], np.hypot(peak[0] - 5, peak[1] - 5), (c5 < -2).sum(), (c5 < -3).sum(), (c7 < -2).sum(), (c7 < -3).sum(),
        amp, sigma, chi2, corr, np.hypot(my - 7, mx - 7), sigma * 2.355 / max(c.get("fwhm") or 2.0, 0.5),
        (max(quads) - min(quads)) / (abs(sum(quads)) + 1e-6), np.abs(c7).mean(), -z[z < 0].sum() / (z[z > 0].sum() + 1e-6),
        c5.sum() / (c7.sum() + 1e-6), z[cy, cx] / (c7.sum() + 1e-6), np.sqrt((vy - vx) ** 2 + 4 * cxy ** 2) / (vy + vx + 1e-6),
        (np.abs(z) > 3).mean(), max(rows.max(), cols.max()) / (rows.mean() + 1e-6), np.corrcoef(d.ravel(), s.ravel())[0, 1],
        np.corrcoef(d.ravel(), r.ravel())[0, 1], np.corrcoef(s.ravel(), r.ravel())[0, 1], (z * z).sum() / (np.abs(z).sum() + 1e-6),
        c.get("magpsf") or 0.0, c.get("sigmapsf") or 0.0, (c.get("diffmaglim") or 0.0) - (c.get("magpsf") or 0.0),
        1.0 if c.get("isdiffpos") in ("t", "1") else 0.0, c.get("distnr") or -1.0, c.get("magnr") or 0.0,
        c.get("sgscore1") or 0.0, c.get("distpsnr1") or -1.0, c.get("classtar") or 0.0, c.get("elong") or 0.0,
    ]
    history = [p for p in (alert.get("prv_candidates") or []) if p.get("magpsf") is not None]
    mags = np.array([p["magpsf"] for p in history] + [c.get("magpsf") or 0.0], dtype=np.float64)
    f.append(float(mags.max() - mags.min()) if mags.size > 1 else 0.0)
    return np.nan_to_num(np.array(f[:N_FEATURES], dtype=np.float32))


def cnn_input(sci, ref, diff):
    out = np.empty((3, 63, 63), dtype=np.float32)
    for i, img in enumerate((sci, ref, diff)):
        x = to63(img)
        med = np.median(x)
        scale = np.median(np.abs(x - med)) * 1.4826 + 1e-6
        out[i] = np.clip((x - med) / scale, -10, 10)
    return out


def main():
    global BATCH, CNN_BATCH
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("paths", nargs="+")
    ap.add_argument("--alerts", type=int, default=2000, help="alerts to score (the files are cycled)")
    ap.add_argument("--warmup", type=int, default=64, help="alerts scored first and not counted (also fit the forests)")
    ap.add_argument("--batch", type=int, default=BATCH, help="batch for the trees and the forests")
    ap.add_argument("--cnn-batch", type=int, default=CNN_BATCH, help="micro-batch for the CNN (the broker's is 16)")
    args = ap.parse_args()
    BATCH, CNN_BATCH = args.batch, args.cnn_batch
    torch.set_num_threads(1)
    torch.set_grad_enabled(False)

    messages = []
    for path in files_of(args.paths):
        with open(path, "rb") as f:
            data = f.read()
        try:
            a = decode(data)
            stamp(a["cutoutDifference"]), stamp(a["cutoutScience"]), stamp(a["cutoutTemplate"])
        except Exception as e:  # JPEG cutouts of 2018 test alerts, corrupt files: not this measurement's input
            print(f"skipped {path}: {type(e).__name__}", file=sys.stderr)  # noqa: T201
            continue
        messages.append(data)
    if not messages:
        sys.exit("no readable alert files")

    rng = np.random.default_rng(1)
    x = rng.normal(size=(4000, N_FEATURES)).astype(np.float32)
    y = (x[:, 0] + rng.normal(size=4000) > 0).astype(np.int32)
    trees = xgboost.XGBClassifier(n_estimators=600, max_leaves=32, grow_policy="lossguide", tree_method="hist", max_depth=0,
                                  learning_rate=0.08, n_jobs=1, random_state=1).fit(x, y)
    booster = trees.get_booster()
    # Deployed as a performance-minded team would: traced and frozen (batch norm folded into the convolutions),
    # channels-last (oneDNN's preferred layout). Eager mode was 15-20% slower a triplet here.
    example = torch.zeros((CNN_BATCH, 3, 63, 63)).contiguous(memory_format=torch.channels_last)
    net = torch.jit.freeze(torch.jit.trace(Probability(Braai(first_convs=2)).eval().to(memory_format=torch.channels_last), example))

    def run(count, forests):
        spent = {k: 0.0 for k in ("decode", "cutouts", "features", "trees", "cnn", "novelty")}
        feats, triplets, done = [], [], 0
        for i in range(count):
            t = time.process_time()
            alert = decode(messages[i % len(messages)])
            t1 = time.process_time()
            sci, ref, diff = stamp(alert["cutoutScience"]), stamp(alert["cutoutTemplate"]), stamp(alert["cutoutDifference"])
            t2 = time.process_time()
            feats.append(features(alert, sci, ref, diff))
            triplets.append(cnn_input(sci, ref, diff))
            t3 = time.process_time()
            spent["decode"] += t1 - t
            spent["cutouts"] += t2 - t1
            spent["features"] += t3 - t2
            if len(triplets) == CNN_BATCH or i == count - 1:
                t4 = time.process_time()
                x = torch.from_numpy(np.stack(triplets)).contiguous(memory_format=torch.channels_last)
                net(x)
                spent["cnn"] += time.process_time() - t4
                triplets = []
            if len(feats) == BATCH or i == count - 1:
                batch = np.stack(feats)
                t5 = time.process_time()
                booster.inplace_predict(batch)
                t6 = time.process_time()
                for columns, forest in zip(SUBSPACES, forests):
                    forest.score_samples(batch[:, columns])
                t7 = time.process_time()
                spent["trees"] += t6 - t5
                spent["novelty"] += t7 - t6
                done += len(feats)
                feats = []
        return spent, done

    # Warm-up: first calls, and the forests fitted on features of real alerts (the broker learns them as it goes).
    warm = np.stack([features(a, *(stamp(a[k]) for k in ("cutoutScience", "cutoutTemplate", "cutoutDifference")))
                     for a in (decode(m) for m in messages[:max(1, min(len(messages), 256))])])
    forests = [IsolationForest(n_estimators=64, max_samples=min(256, len(warm)), random_state=1, n_jobs=1).fit(warm[:, columns])
               for columns in SUBSPACES]
    run(args.warmup, forests)

    cpu0, wall0 = time.process_time(), time.perf_counter()
    spent, done = run(args.alerts, forests)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    print(f"{len(messages)} distinct alert files, {done} alerts scored in {wall:.1f} s wall, {cpu:.2f} CPU-s")
    print("stages (CPU us per alert): " + ", ".join(f"{k} {v / done * 1e6:.0f}" for k, v in spent.items()))
    print(f"CPU per alert {cpu / done * 1e6:.0f} us; {done / cpu:.0f} alerts per CPU-second")
    print(f"peer=python batch={BATCH} cnn_batch={CNN_BATCH} alerts={done} cpu_s={cpu:.3f} cpu_us_per_alert={cpu / done * 1e6:.0f} alerts_per_cpu_s={done / cpu:.1f} "
          + " ".join(f"{k}_us={v / done * 1e6:.0f}" for k, v in spent.items()))


if __name__ == "__main__":
    main()
