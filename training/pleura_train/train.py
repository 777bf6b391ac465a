"""Training entry point: python3 -m pleura_train.train <run> [--steps N] [--size S] ...

Runs (see training/README.md):
  recognition           multi-modal stage 1 (cxr + ct-cls), the shipped model
  recognition-multimodal  multi-modal stage 1 at the comparison budget (200 steps)
  recognition-xray      X-ray-only stage 1 (uni-modal comparison, 200 steps)
  loso-<source>         multi-modal stage 1 without one source (kermany, radiography-db)
  manifestations        stage 2 multi-label CNN
  seg-pretrain          shared DeepLab-v3+ pre-training (binary infection on 500 pseudo-labelled slices)
  seg-ggo | seg-consolidation | seg-effusion | seg-all   stage 3 streams (fine-tuned from seg-pretrain)
  seg-ggo-scratch       same budget as seg-ggo, random init (transfer-learning ablation)
Every run: fixed seed, fixed number of optimiser steps, checkpoint in training/checkpoints/<run>.pt,
log in training/logs/<run>.log.
"""
import argparse, json, math, os, sys, time
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from . import data as D
from .models import Recognition, Manifestations, DeepLabV3Plus

CKPT = os.path.join(D.HERE, "checkpoints")
LOGS = os.path.join(D.HERE, "logs")


class Log:
    def __init__(self, run):
        os.makedirs(LOGS, exist_ok=True)
        self.f = open(os.path.join(LOGS, run + ".log"), "w")

    def __call__(self, *a):
        s = " ".join(str(x) for x in a)
        print(s, flush=True); self.f.write(s + "\n"); self.f.flush()


def setup(seed):
    torch.manual_seed(seed); np.random.seed(seed)
    torch.set_num_threads(int(os.environ.get("PLEURA_THREADS", "2")))
    torch.set_flush_denormal(True)


def to_input(u8, channels=1):
    """uint8 batch [B,H,W] -> normalised float [B,C,H,W] (contract step 2.3-2.4)."""
    x = (torch.as_tensor(u8).float() / 255.0 - 0.5) / 0.5
    return x[:, None].expand(-1, channels, -1, -1).contiguous()


def rand_affine(x, rng, ys=None, rot=10, scale=(0.9, 1.1), trans=0.06, hflip=False, vflip=False):
    """Same random affine for image batch x [B,C,H,W] and optional label maps ys (list of [B,H,W] float, nearest)."""
    B = x.shape[0]
    a = torch.tensor(rng.uniform(-rot, rot, B) * math.pi / 180, dtype=torch.float32)
    s = torch.tensor(rng.uniform(*scale, B), dtype=torch.float32)
    t = torch.tensor(rng.uniform(-trans, trans, (B, 2)), dtype=torch.float32)
    fx = torch.tensor(np.where(rng.random(B) < 0.5, -1.0, 1.0) if hflip else np.ones(B), dtype=torch.float32)
    fy = torch.tensor(np.where(rng.random(B) < 0.5, -1.0, 1.0) if vflip else np.ones(B), dtype=torch.float32)
    th = torch.zeros(B, 2, 3)
    th[:, 0, 0] = torch.cos(a) / s * fx; th[:, 0, 1] = -torch.sin(a) / s
    th[:, 1, 0] = torch.sin(a) / s * fx; th[:, 1, 1] = torch.cos(a) / s
    th[:, 1, :2] *= fy[:, None]
    th[:, :, 2] = t
    g = F.affine_grid(th, x.shape, align_corners=False)
    xo = F.grid_sample(x, g, mode="bilinear", padding_mode="border", align_corners=False)
    out = []
    for y in ys or []:
        out.append(F.grid_sample(y[:, None].float(), g, mode="nearest", padding_mode="zeros", align_corners=False)[:, 0])
    return xo, out


def intensity(x, rng):
    B = x.shape[0]
    c = torch.tensor(rng.uniform(0.85, 1.15, (B, 1, 1, 1)), dtype=torch.float32)
    b = torch.tensor(rng.uniform(-0.1, 0.1, (B, 1, 1, 1)), dtype=torch.float32)
    return (x * c + b).clamp(-1, 1)


def make_opt(net, lr, steps, wd=1e-4):
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=wd)
    warm = max(1, steps // 20)
    sch = torch.optim.lr_scheduler.LambdaLR(opt, lambda i: min(1.0, (i + 1) / warm) * 0.5 * (1 + math.cos(math.pi * min(i, steps) / steps)))
    return opt, sch


def step(net, opt, sch, loss_fn, x):
    with torch.autocast("cpu", dtype=torch.bfloat16):
        out = net(x.contiguous(memory_format=torch.channels_last))
    loss = loss_fn(out)
    opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sch.step()
    return float(loss)


def save(net, run, meta):
    os.makedirs(CKPT, exist_ok=True)
    torch.save({"state": net.state_dict(), "meta": meta}, os.path.join(CKPT, run + ".pt"))


# ---------------------------------------------------------------- stage 1
def train_recognition(run, name, a, log):
    rows = D.read_csv(os.path.join(D.SPLITS, "stage1_cls.csv"))
    X = np.load(os.path.join(D.CACHE, "cls299.npy"), mmap_mode="r")
    idx = [i for i, r in enumerate(rows) if r["split"] == "train"]
    if run == "recognition-xray":
        idx = [i for i in idx if rows[i]["modality"] == "xray"]
    elif run.startswith("loso-"):
        src = run[5:]
        idx = [i for i in idx if rows[i]["source"] != src]
    y2 = np.array([int(r["y2"]) for r in rows]); y4 = np.array([int(r["y4"]) for r in rows])
    # class-balanced sampling over {covid19, normal (incl. non-COVID CT), viral, bacterial}
    grp = np.array([(0 if rows[i]["label"] == "covid19" else 2 if rows[i]["label"] == "viral" else 3 if rows[i]["label"] == "bacterial" else 1) for i in idx])
    cnt = np.bincount(grp, minlength=4).astype(float)
    w = 1.0 / cnt[grp]; w /= w.sum()
    log(f"{run}: {len(idx)} training images; per class {cnt.tolist()}; steps {a.steps} x batch {a.batch}; size {a.size} then {a.size2} for last {a.steps2} steps")
    rng = np.random.default_rng(a.seed)
    net = Recognition().to(memory_format=torch.channels_last)
    if a.init:
        net.load_state_dict(torch.load(os.path.join(CKPT, a.init + ".pt"))["state"]); log("init from", a.init)
    total = a.steps + a.steps2
    opt, sch = make_opt(net, a.lr, total)
    ce = nn.CrossEntropyLoss(ignore_index=-1)
    t0 = time.time(); run_loss = 0
    for it in range(total):
        size = a.size if it < a.steps else a.size2
        b = np.sort(rng.choice(idx, size=a.batch, p=w))
        x = to_input(np.asarray(X[b]), 3)
        x, _ = rand_affine(x, rng, rot=8, scale=(0.9, 1.1), trans=0.05)
        x = intensity(x, rng)
        if size != 299:
            x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False)
        t2 = torch.as_tensor(y2[b]); t4 = torch.as_tensor(y4[b])

        def lf(o):
            l2 = ce(o[0].float(), t2) if (t2 >= 0).any() else o[0].float().sum() * 0
            l4 = ce(o[1].float(), t4) if (t4 >= 0).any() else o[1].float().sum() * 0
            return l2 + l4
        run_loss += step(net, opt, sch, lf, x)
        if a.snap and it + 1 == a.snap:  # equal-budget snapshot for the uni-modal / leave-one-source-out comparison
            save(net, f"{name}-at{a.snap}", {"seconds": time.time() - t0, "args": vars(a), "n_train": len(idx), "steps_done": it + 1})
            log(f"snapshot {name}-at{a.snap}")
        if (it + 1) % 25 == 0:
            log(f"it {it+1}/{total} size {size} loss {run_loss/25:.4f} lr {sch.get_last_lr()[0]:.2e} {time.time()-t0:.0f}s"); run_loss = 0
    save(net, name, {"seconds": time.time() - t0, "args": vars(a), "n_train": len(idx)})
    log(f"done in {time.time()-t0:.0f}s")


# ---------------------------------------------------------------- stage 2
def stage2_data(split):
    d = np.load(os.path.join(D.CACHE, "seg256.npz"))
    inf = D.read_csv(os.path.join(D.SPLITS, "seg_infnet50.csv"))
    eff = D.read_csv(os.path.join(D.SPLITS, "seg_effusion.csv"))
    Xs, Ys = [], []
    m = np.array([r["split"] == split for r in inf])
    Y = d["Y"][m]
    Xs.append(d["X"][m]); Ys.append(np.stack([(Y == 1).any((1, 2)), (Y == 2).any((1, 2)), np.full(len(Y), -1)], 1))
    m = np.array([r["split"] == split for r in eff])
    Xs.append(d["EX"][m]); Ys.append(np.stack([np.full(m.sum(), -1), np.full(m.sum(), -1), d["EY"][m].any((1, 2))], 1))
    LX, ls = D.luna256(); m = ls == split
    Xs.append(LX[m]); Ys.append(np.stack([np.zeros(m.sum()), np.zeros(m.sum()), np.full(m.sum(), -1)], 1))
    if split == "train":  # pseudo-labelled COVID slices: GGO-positive when Semi-Inf-Net marks >= 200 px (weak), rest masked
        area = (d["PY"] >= 128).sum((1, 2))
        Xs.append(d["PX"]); Ys.append(np.stack([np.where(area >= 200, 1, -1), np.full(500, -1), np.full(500, -1)], 1))
    return np.concatenate(Xs), np.concatenate(Ys).astype(np.float32)


def train_manifestations(run, name, a, log):
    X, Y = stage2_data("train")
    rng = np.random.default_rng(a.seed)
    # balance: each label's known positives/negatives get equal total weight over the three labels
    grp = np.where(Y[:, 2] >= 0, 2 + Y[:, 2], np.where(Y[:, 0] == 1, 0, 1)).astype(int)  # 0 ggo+,1 ggo-/cons-known,2 eff-,3 eff+
    cnt = np.bincount(grp, minlength=4).astype(float); w = 1 / cnt[grp]; w /= w.sum()
    log(f"{run}: {len(X)} slices; groups {cnt.tolist()}; steps {a.steps} x {a.batch}")
    net = Manifestations().to(memory_format=torch.channels_last)
    opt, sch = make_opt(net, a.lr, a.steps)
    t0 = time.time(); rl = 0
    for it in range(a.steps):
        b = rng.choice(len(X), size=a.batch, p=w)
        x, _ = rand_affine(to_input(X[b]), rng, rot=10, hflip=True)
        x = intensity(x, rng)
        y = torch.as_tensor(Y[b])

        def lf(o):
            o = o.float(); k = (y >= 0).float()
            return (F.binary_cross_entropy_with_logits(o, y.clamp(0, 1), reduction="none") * k).sum() / k.sum().clamp(min=1)
        rl += step(net, opt, sch, lf, x)
        if (it + 1) % 50 == 0:
            log(f"it {it+1}/{a.steps} loss {rl/50:.4f} {time.time()-t0:.0f}s"); rl = 0
    save(net, name, {"seconds": time.time() - t0, "args": vars(a), "n_train": len(X)})
    log(f"done in {time.time()-t0:.0f}s")


# ---------------------------------------------------------------- stage 3
def seg_train_data(run):
    """Returns X uint8 [N,256,256], target [N,256,256] float (meaning depends on run), weights per sample."""
    d = np.load(os.path.join(D.CACHE, "seg256.npz"))
    inf = D.read_csv(os.path.join(D.SPLITS, "seg_infnet50.csv"))
    eff = D.read_csv(os.path.join(D.SPLITS, "seg_effusion.csv"))
    mi = np.array([r["split"] == "train" for r in inf]); me = np.array([r["split"] == "train" for r in eff])
    LX, ls = D.luna256(); ml = ls == "train"
    if run == "seg-pretrain":
        return d["PX"], d["PY"].astype(np.float32) / 255.0, np.ones(500)
    if run.startswith("seg-ggo") or run == "seg-consolidation":
        c = 1 if run.startswith("seg-ggo") else 2
        X = np.concatenate([d["X"][mi], LX[ml]]); T = np.concatenate([(d["Y"][mi] == c), np.zeros((ml.sum(), 256, 256), bool)]).astype(np.float32)
        w = np.concatenate([np.full(mi.sum(), 3.0 / mi.sum()), np.full(ml.sum(), 1.0 / ml.sum())])  # 3:1 Inf-Net : LUNA negatives
        return X, T, w
    if run == "seg-effusion":  # native 512 px (see data.effusion512); trained on 256 px crops
        e = D.effusion512(); me, ml = e["esplit"] == "train", e["lsplit"] == "train"
        X = np.concatenate([e["EX"][me], e["LX"][ml]]); T = np.concatenate([e["EY"][me], np.zeros((ml.sum(), 512, 512), np.uint8)])
        w = np.concatenate([np.full(me.sum(), 4.0 / me.sum()), np.full(ml.sum(), 1.0 / ml.sum())])
        return X, T, w
    if run == "seg-all":
        # label codes: 0 bg, 1 ggo, 2 cons, 3 effusion, 4 "bg or effusion" (Inf-Net / LUNA bg), 5 "bg, ggo or cons" (ct-effusion bg)
        Y = d["Y"][mi].astype(np.uint8).copy(); Y[Y == 0] = 4
        E = d["EY"][me].astype(np.uint8) * 3; E[E == 0] = 5
        L = np.full((ml.sum(), 256, 256), 4, np.uint8)
        X = np.concatenate([d["X"][mi], d["EX"][me], LX[ml]]); T = np.concatenate([Y, E, L]).astype(np.float32)
        w = np.concatenate([np.full(mi.sum(), 3.0 / mi.sum()), np.full(me.sum(), 3.0 / me.sum()), np.full(ml.sum(), 1.0 / ml.sum())])
        return X, T, w
    raise ValueError(run)


def partial_ce(logits, T):
    """Cross-entropy with partial labels: codes 4/5 are sets of classes; loss = -log sum_{c in set} p_c."""
    lp = torch.log_softmax(logits.float(), 1)
    T = T.long()
    sets = {0: [0], 1: [1], 2: [2], 3: [3], 4: [0, 3], 5: [0, 1, 2]}
    loss = torch.zeros_like(lp[:, 0])
    for code, cs in sets.items():
        m = T == code
        if m.any():
            v = torch.logsumexp(lp[:, cs], 1)
            loss = torch.where(m, -v, loss)
    # class weights for rare classes (consolidation/effusion) via pixel re-weighting
    wmap = torch.ones_like(loss); wmap[T == 1] = 2.0; wmap[T == 2] = 4.0; wmap[T == 3] = 3.0
    return (loss * wmap).mean()


def bin_loss(logits, T):
    o = logits.float()[:, 0]
    bce = F.binary_cross_entropy_with_logits(o, T, pos_weight=torch.tensor(2.0))
    p = torch.sigmoid(o)
    inter = (p * T).sum((1, 2)); den = p.sum((1, 2)) + T.sum((1, 2))
    has = T.sum((1, 2)) > 0
    dice = 1 - (2 * inter + 1) / (den + 1)
    dl = dice[has].mean() if has.any() else o.sum() * 0
    return bce + dl


def crop_batch(x, t, rng, size=256, on_target=0.7, jitter=96):
    """Crops size x size windows from a full-resolution batch: with probability on_target centred (with jitter) on a
    random foreground pixel, otherwise anywhere. The network is fully convolutional, so it is trained on crops and
    runs on the whole slice; crops keep the training cost of a 256 px model and oversample the small effusions."""
    B, _, H, W = x.shape; h = size // 2
    xs, ts = [], []
    for i in range(B):
        fg = torch.nonzero(t[i] > 0.5)
        if len(fg) and rng.random() < on_target:
            cy, cx = fg[rng.integers(len(fg))].tolist()
            cy += int(rng.integers(-jitter, jitter + 1)); cx += int(rng.integers(-jitter, jitter + 1))
        else:
            cy, cx = int(rng.integers(h, H - h + 1)), int(rng.integers(h, W - h + 1))
        cy, cx = min(max(cy, h), H - h), min(max(cx, h), W - h)
        xs.append(x[i, :, cy - h:cy + h, cx - h:cx + h]); ts.append(t[i, cy - h:cy + h, cx - h:cx + h])
    return torch.stack(xs), torch.stack(ts)


def train_seg(run, name, a, log, data=None):
    """data: (X, T, w) to train on instead of the run's own split (leave-one-patient-out folds)."""
    X, T, w = data if data is not None else seg_train_data(run)
    w = w / w.sum()
    rng = np.random.default_rng(a.seed)
    n_out = 4 if run == "seg-all" else 1
    net = DeepLabV3Plus(n_out)
    if a.init:
        sd = torch.load(os.path.join(CKPT, a.init + ".pt"))["state"]
        if n_out != 1:
            sd = {k: v for k, v in sd.items() if not k.startswith("cls.")}
        missing = net.load_state_dict(sd, strict=False); log("init from", a.init, "missing", missing.missing_keys)
    net = net.to(memory_format=torch.channels_last)
    opt, sch = make_opt(net, a.lr, a.steps)
    log(f"{run}: {len(X)} slices; steps {a.steps} x {a.batch}")
    t0 = time.time(); rl = 0
    for it in range(a.steps):
        b = rng.choice(len(X), size=a.batch, p=w)
        x, (t,) = rand_affine(to_input(X[b]), rng, [torch.as_tensor(T[b]).float()], rot=12, scale=(0.85, 1.15), trans=0.08,
                              hflip=True, vflip=(run == "seg-pretrain"))
        if X.shape[-1] > 256:
            x, t = crop_batch(x, t, rng)
        x = intensity(x, rng)
        if run == "seg-pretrain":  # soft labels: re-sample bilinear-ish target (nearest is fine for soft maps too)
            lf = lambda o: bin_loss(o, t)
        elif run == "seg-all":
            lf = lambda o: partial_ce(o, t)
        else:
            lf = lambda o: bin_loss(o, t)
        rl += step(net, opt, sch, lf, x)
        if (it + 1) % 25 == 0:
            log(f"it {it+1}/{a.steps} loss {rl/25:.4f} {time.time()-t0:.0f}s"); rl = 0
    save(net, name, {"seconds": time.time() - t0, "args": vars(a), "n_train": len(X)})
    log(f"done in {time.time()-t0:.0f}s")


DEFAULTS = {
    # budgets of the shipped run (2 idle CPU cores, 2026-12-01); earlier sessions' shorter budgets are in README.md
    "recognition": dict(steps=2600, batch=16, lr=1e-3, size=224, size2=299, steps2=400),
    # equal-budget comparisons (same schedule, 200 steps at 224 px): multi-modal vs X-ray only vs leave-one-source-out
    "recognition-multimodal": dict(steps=200, batch=16, lr=1e-3, size=224, size2=299, steps2=0),
    "recognition-xray": dict(steps=200, batch=16, lr=1e-3, size=224, size2=299, steps2=0),
    "loso-kermany": dict(steps=200, batch=16, lr=1e-3, size=224, size2=299, steps2=0),
    "loso-radiography-db": dict(steps=200, batch=16, lr=1e-3, size=224, size2=299, steps2=0),
    "manifestations": dict(steps=400, batch=16, lr=1e-3),
    "seg-pretrain": dict(steps=400, batch=8, lr=2e-3),
    "seg-ggo": dict(steps=600, batch=8, lr=1e-3, init="seg-pretrain"),
    "seg-ggo-scratch": dict(steps=600, batch=8, lr=1e-3, init=""),
    "seg-consolidation": dict(steps=600, batch=8, lr=1e-3, init="seg-pretrain"),
    "seg-effusion": dict(steps=500, batch=8, lr=1e-3, init="seg-pretrain"),
    "seg-all": dict(steps=600, batch=8, lr=1e-3, init="seg-pretrain"),
}


def main(argv=None):
    p = argparse.ArgumentParser()
    p.add_argument("run")
    for k, t in [("steps", int), ("batch", int), ("lr", float), ("size", int), ("size2", int), ("steps2", int), ("init", str), ("seed", int), ("snap", int)]:
        p.add_argument("--" + k, type=t)
    p.add_argument("--tag", default="", help="suffix for checkpoint/log name (e.g. -early)")
    a = p.parse_args(argv)
    base = DEFAULTS.get(a.run, DEFAULTS["loso-kermany"] if a.run.startswith("loso-") else None)
    base = dict(dict(seed=D.SEED, size=224, size2=299, steps2=0, init="", snap=0), **base)
    for k, v in base.items():
        if getattr(a, k) is None: setattr(a, k, v)
    setup(a.seed)
    name = a.run + a.tag
    log = Log(name); log("args", json.dumps(vars(a)))
    if a.run.startswith("recognition") or a.run.startswith("loso-"):
        train_recognition(a.run, name, a, log)
    elif a.run == "manifestations":
        train_manifestations(a.run, name, a, log)
    else:
        train_seg(a.run, name, a, log)


if __name__ == "__main__":
    main()
