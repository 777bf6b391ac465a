"""Classification and segmentation metrics with bootstrap intervals; tiny PNG confusion matrices (PIL only)."""
import numpy as np
from PIL import Image, ImageDraw


def auroc(y, s):
    y = np.asarray(y).astype(bool); s = np.asarray(s, float)
    P, N = y.sum(), (~y).sum()
    if P == 0 or N == 0: return float("nan")
    order = np.argsort(s, kind="mergesort"); r = np.empty(len(s)); 
    ss = s[order]; ranks = np.arange(1, len(s) + 1, dtype=float)
    # average ranks for ties
    i = 0
    while i < len(ss):
        j = i
        while j + 1 < len(ss) and ss[j + 1] == ss[i]: j += 1
        ranks[i:j + 1] = (i + j + 2) / 2.0; i = j + 1
    r[order] = ranks
    return float((r[y].sum() - P * (P + 1) / 2) / (P * N))


def binary(y, s, thr=0.5):
    y = np.asarray(y).astype(bool); p = np.asarray(s) >= thr
    tp = int((y & p).sum()); tn = int((~y & ~p).sum()); fp = int((~y & p).sum()); fn = int((y & ~p).sum())
    n = tp + tn + fp + fn
    sens = tp / (tp + fn) if tp + fn else float("nan")
    spec = tn / (tn + fp) if tn + fp else float("nan")
    prec = tp / (tp + fp) if tp + fp else float("nan")
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else float("nan")
    den = np.sqrt(float(tp + fp) * (tp + fn) * (tn + fp) * (tn + fn))
    mcc = (tp * tn - fp * fn) / den if den > 0 else float("nan")
    return dict(n=n, tp=tp, tn=tn, fp=fp, fn=fn, accuracy=(tp + tn) / n if n else float("nan"), sensitivity=sens,
                specificity=spec, precision=prec, f1=f1, mcc=mcc, auroc=auroc(y, s))


def with_ci(y, s, thr=0.5, B=1000, seed=0, groups=None):
    """Point estimates + 95% percentile bootstrap (resampling patients when groups given)."""
    y = np.asarray(y); s = np.asarray(s)
    pt = binary(y, s, thr)
    rng = np.random.default_rng(seed)
    keys = ["accuracy", "sensitivity", "specificity", "precision", "f1", "mcc", "auroc"]
    bs = {k: [] for k in keys}
    if groups is not None:
        g = np.asarray(groups); ug, inv = np.unique(g, return_inverse=True)
        members = [np.where(inv == i)[0] for i in range(len(ug))]
    for _ in range(B):
        if groups is None:
            ix = rng.integers(0, len(y), len(y))
        else:
            ix = np.concatenate([members[i] for i in rng.integers(0, len(members), len(members))])
        m = binary(y[ix], s[ix], thr)
        for k in keys: bs[k].append(m[k])
    out = {}
    for k in keys:
        v = np.array(bs[k], float); v = v[~np.isnan(v)]
        out[k] = [pt[k], float(np.percentile(v, 2.5)) if len(v) else None, float(np.percentile(v, 97.5)) if len(v) else None]
    out.update({k: pt[k] for k in ["n", "tp", "tn", "fp", "fn"]})
    return out


def confusion(y, p, k):
    m = np.zeros((k, k), int)
    for a, b in zip(y, p): m[a, b] += 1
    return m


def confusion_png(m, labels, path, title=""):
    k = len(labels); cell = 56; left = 96; top = 40
    W = left + cell * k + 8; H = top + cell * k + 30
    im = Image.new("L", (W, H), 255); d = ImageDraw.Draw(im)
    d.text((4, 4), title[:60], fill=0); d.text((4, 18), "rows: truth, cols: predicted", fill=0)
    rs = m.sum(1, keepdims=True).clip(min=1)
    for i in range(k):
        d.text((4, top + i * cell + cell // 2 - 5), labels[i][:14], fill=0)
        d.text((left + i * cell + 2, top + k * cell + 4), labels[i][:9], fill=0)
        for j in range(k):
            f = m[i, j] / rs[i, 0]
            shade = int(255 - 200 * f)
            d.rectangle([left + j * cell, top + i * cell, left + (j + 1) * cell - 1, top + (i + 1) * cell - 1], fill=shade, outline=0)
            d.text((left + j * cell + 6, top + i * cell + cell // 2 - 5), str(m[i, j]), fill=0 if shade > 120 else 255)
    im.save(path, optimize=True)


def dice_iou(gt, pr):
    gt = gt.astype(bool); pr = pr.astype(bool)
    i = (gt & pr).sum(); s = gt.sum() + pr.sum(); u = (gt | pr).sum()
    return (2 * i / s if s else 1.0), (i / u if u else 1.0), int(i), int(s), int(u)


def infnet_dice(gt, prob):
    """Inf-Net evaluation protocol: mean Dice over 256 thresholds of the probability map."""
    gt = gt.astype(bool); G = gt.sum()
    p = np.floor(prob * 255 + 0.5).astype(np.int32).ravel(); g = gt.ravel()
    hp = np.bincount(p[g], minlength=256); ha = np.bincount(p, minlength=256)
    tp = np.cumsum(hp[::-1])[::-1]; pos = np.cumsum(ha[::-1])[::-1]  # predicted >= t
    d = 2 * tp / np.maximum(pos + G, 1)
    return float(d.mean())
