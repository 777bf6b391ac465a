"""Held-out evaluation (test split; never used for training or tuning).

python3 -m pleura_train.evaluate stage1|stage2|stage3|quant [--tag=-early]
Writes training/results/<stage>.json and confusion-matrix PNGs.
"""
import argparse, copy, json, os, time
import numpy as np
import torch
from . import data as D
from . import metrics as M
from .models import Recognition, Manifestations, DeepLabV3Plus
from .preprocess import resize_float
from .train import CKPT, to_input

RES = os.path.join(D.HERE, "results")


def load(kind, name):
    net = {"recognition": Recognition, "manifestations": Manifestations}.get(kind)
    net = net() if net else DeepLabV3Plus(4 if kind == "seg-all" else 1)
    net.load_state_dict(torch.load(os.path.join(CKPT, name + ".pt"))["state"]); net.eval()
    return net


def fake_quant_(net):
    """Per-output-channel symmetric int8 weight quantisation (what the exported QDQ graph computes)."""
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                w = m.weight; flat = w.reshape(w.shape[0], -1)
                s = flat.abs().max(1).values.clamp(min=1e-12) / 127.0
                q = torch.round(flat / s[:, None]).clamp(-127, 127) * s[:, None]
                w.copy_(q.reshape(w.shape))
    return net


@torch.no_grad()
def predict(net, X, channels, bs=16, fn=None, bf16=False):
    outs = []
    for i in range(0, len(X), bs):
        x = to_input(np.asarray(X[i:i + bs]), channels)
        if bf16:
            with torch.autocast("cpu", dtype=torch.bfloat16):
                o = net(x.contiguous(memory_format=torch.channels_last))
            o = tuple(v.float() for v in o) if isinstance(o, tuple) else o.float()
        else:
            o = net(x)
        outs.append(fn(o) if fn else o)
    if isinstance(outs[0], tuple):
        return tuple(torch.cat([o[k] for o in outs]).numpy() for k in range(len(outs[0])))
    return torch.cat(outs).numpy()


def jdump(obj, path):
    def fix(o):
        if isinstance(o, dict): return {k: fix(v) for k, v in o.items()}
        if isinstance(o, (list, tuple)): return [fix(v) for v in o]
        if isinstance(o, (np.floating, float)): return None if np.isnan(o) else round(float(o), 4)
        if isinstance(o, np.integer): return int(o)
        return o
    os.makedirs(os.path.dirname(path), exist_ok=True)
    json.dump(fix(obj), open(path, "w"), indent=1)


# ------------------------------------------------------------------ stage 1
def stage1_eval(net, rows, X, idx, quick=False, bf16=False):
    p2, p4 = predict(net, np.asarray(X[idx]), 3, fn=lambda o: (torch.softmax(o[0], 1), torch.softmax(o[1], 1)), bf16=bf16)
    R = [rows[i] for i in idx]
    y2 = np.array([int(r["y2"]) for r in R]); y4 = np.array([int(r["y4"]) for r in R])
    src = np.array([r["source"] for r in R]); pid = np.array([r["patient_id"] for r in R])
    res = {}
    B = 200 if quick else 1000
    m2 = y2 >= 0
    res["two_class_all"] = M.with_ci(y2[m2], p2[m2, 1], B=B, groups=pid[m2])
    for mod in ["xray", "ct"]:
        mm = m2 & np.array([r["modality"] == mod for r in R])
        res[f"two_class_{mod}"] = M.with_ci(y2[mm], p2[mm, 1], B=B, groups=pid[mm])
    res["two_class_per_source"] = {}
    for s in sorted(set(src)):
        mm = m2 & (src == s)
        if mm.sum():
            res["two_class_per_source"][s] = M.with_ci(y2[mm], p2[mm, 1], B=B, groups=pid[mm])
    m4 = y4 >= 0
    pr4 = p4.argmax(1)
    cm4 = M.confusion(y4[m4], pr4[m4], 4)
    res["four_class"] = dict(n=int(m4.sum()), accuracy=float((pr4[m4] == y4[m4]).mean()),
                             macro_f1=float(np.mean([2 * cm4[k, k] / max(cm4[k].sum() + cm4[:, k].sum(), 1) for k in range(4)])),
                             confusion=cm4.tolist(), labels=D.L4)
    res["four_class_per_source"] = {s: dict(n=int((m4 & (src == s)).sum()), accuracy=float((pr4[m4 & (src == s)] == y4[m4 & (src == s)]).mean()))
                                    for s in sorted(set(src[m4]))}
    res["_pred"] = dict(y2=y2, p2=p2[:, 1], y4=y4, pr4=pr4)
    return res


def recognition_val_threshold(net, rows, X, test_pred, test):
    """The shipped operating point: the COVID-19 threshold that maximises balanced accuracy on the VALIDATION
    patients (grid 0.05..0.95), applied once to test. Balanced accuracy rather than accuracy so the choice does not
    follow the validation split's class mix."""
    val = [i for i, r in enumerate(rows) if r["split"] == "val"]
    p2 = predict(net, np.asarray(X[val]), 3, fn=lambda o: torch.softmax(o[0], 1))[:, 1]
    y2 = np.array([int(rows[i]["y2"]) for i in val]); m = y2 >= 0
    grid = [round(t, 2) for t in np.arange(0.05, 0.951, 0.05)]
    rates = [M.binary(y2[m], p2[m], t) for t in grid]
    bal = [(r["sensitivity"] + r["specificity"]) / 2 for r in rates]
    chosen = grid[int(np.argmax(bal))]
    yt, pt = test_pred["y2"], test_pred["p2"]; mt = yt >= 0
    pid = np.array([rows[i]["patient_id"] for i in test])[mt]
    src = np.array([rows[i]["source"] for i in test])[mt]
    per_source = {s: M.binary(yt[mt][src == s], pt[mt][src == s], chosen) for s in sorted(set(src))}
    M.confusion_png(M.confusion(yt[mt], (pt[mt] >= chosen).astype(int), 2), D.L2,
                    os.path.join(RES, "recognition_cm2_valthreshold.png"), f"recognition p2 >= {chosen} (test)")
    return dict(grid=grid, val_balanced_accuracy=bal, n_val=int(m.sum()), chosen=chosen,
                test=M.with_ci(yt[mt], pt[mt], thr=chosen, groups=pid),
                test_per_source={s: dict(n=v["n"], accuracy=v["accuracy"], sensitivity=v["sensitivity"], specificity=v["specificity"])
                                 for s, v in per_source.items()})


def stage1(tag=""):
    rows = D.read_csv(os.path.join(D.SPLITS, "stage1_cls.csv"))
    X = np.load(os.path.join(D.CACHE, "cls299.npy"), mmap_mode="r")
    test = [i for i, r in enumerate(rows) if r["split"] == "test"]
    out = {"split": "test (patient-disjoint; UCSD val patients split into our val/test)", "n_test": len(test), "models": {}}
    out["weights"] = "int8 per-channel (fake-quantised in PyTorch = the shipped ONNX weights)"
    for name in ["recognition", "recognition-multimodal", "recognition-xray", "loso-kermany", "loso-radiography-db"]:
        if not os.path.exists(os.path.join(CKPT, name + tag + ".pt")): continue
        t0 = time.time()
        net = fake_quant_(load("recognition", name + tag))
        bf16 = name != "recognition"  # comparison models: bf16 inference to fit the CPU budget
        r = stage1_eval(net, rows, X, test, bf16=bf16)
        r["inference"] = "bf16 autocast" if bf16 else "float32"
        pred = r.pop("_pred")
        r["train_seconds"] = torch.load(os.path.join(CKPT, name + tag + ".pt"))["meta"]["seconds"]
        out["models"][name] = r
        if name == "recognition":
            m2 = pred["y2"] >= 0
            M.confusion_png(M.confusion(pred["y2"][m2], (pred["p2"][m2] >= 0.5).astype(int), 2), D.L2,
                            os.path.join(RES, "recognition_cm2.png"), "recognition p2 (test)")
            r["val_threshold"] = recognition_val_threshold(net, rows, X, pred, test)
            M.confusion_png(np.array(r["four_class"]["confusion"]), D.L4, os.path.join(RES, "recognition_cm4.png"), "recognition p4 (test)")
        if name == "recognition-xray":
            m2 = pred["y2"] >= 0
            M.confusion_png(M.confusion(pred["y2"][m2], (pred["p2"][m2] >= 0.5).astype(int), 2), D.L2,
                            os.path.join(RES, "recognition-xray_cm2.png"), "xray-only p2 (test)")
        print(name, "eval", round(time.time() - t0), "s", json.dumps(r["two_class_all"]["accuracy"]), flush=True)
    jdump(out, os.path.join(RES, "stage1.json"))


# ------------------------------------------------------------------ stage 2
def stage2(tag="", net=None, split="test"):
    from .train import stage2_data
    X, Y = stage2_data(split)
    net = net or fake_quant_(load("manifestations", "manifestations" + tag))
    P = predict(net, X, 1, fn=torch.sigmoid)
    out = {"split": "test: Inf-Net 10 slices (GGO/cons), LUNG1 test patient (effusion), LUNA test slices (GGO/cons negatives)"}
    for k, lab in enumerate(["ggo", "consolidation", "effusion"]):
        m = Y[:, k] >= 0
        out[lab] = M.with_ci(Y[m, k], P[m, k])
        out[lab]["positives"] = int(Y[m, k].sum()); out[lab]["negatives"] = int((Y[m, k] == 0).sum())
    # GGO/cons among COVID slices only (without LUNA negatives): shows how much the LUNA negatives drive AUROC
    n_inf = 10
    for k, lab in enumerate(["ggo", "consolidation"]):
        out[lab + "_infnet_only"] = M.binary(Y[:n_inf, k], P[:n_inf, k])
    return out


# ------------------------------------------------------------------ stage 3
def seg_test_items(split="test"):
    d = np.load(os.path.join(D.CACHE, "seg256.npz"))
    nat = np.load(os.path.join(D.CACHE, "native_masks.npz"))
    inf = D.read_csv(os.path.join(D.SPLITS, "seg_infnet50.csv"))
    eff = D.read_csv(os.path.join(D.SPLITS, "seg_effusion.csv"))
    e512 = D.effusion512()["EX"]
    items = []
    for i, r in enumerate(inf):
        if r["split"] == split:
            gt = nat[r["file"].replace("/", "|")]
            items.append(dict(kind="infnet", file=r["file"], x=d["X"][i], gt={"ggo": gt == 1, "consolidation": gt == 2}))
    for i, r in enumerate(eff):
        if r["split"] == split:
            items.append(dict(kind="effusion", file=r["file"], x=d["EX"][i], x512=e512[i], gt={"effusion": nat[r["file"].replace("/", "|")] > 0}))
    return items


def seg_eval(probs_fn, items, classes, thr=0.5, key="x"):
    """probs_fn(uint8 batch at the model's input size: item[key]) -> dict class -> prob maps [B,256,256] and mask maps (thresholded/argmax)."""
    res = {}
    acc = {c: dict(per_img_d=[], per_img_i=[], infnet=[], I=0, S=0, U=0, fp_px_on_negatives=0, n_neg=0) for c in classes}
    for it in items:
        if not any(c in it["gt"] for c in classes): continue
        pm, mm = probs_fn(it[key][None])
        for c in classes:
            if c not in it["gt"]: continue
            gt = it["gt"][c]; H, W = gt.shape
            prob = resize_float(pm[c][0], H, W)
            if mm is None:
                pred = prob >= thr
            else:
                pred = resize_float(mm[c][0].astype(np.float64), H, W) >= 0.5
            d, iou, I, S, U = M.dice_iou(gt, pred)
            a = acc[c]; a["I"] += I; a["S"] += S; a["U"] += U
            if gt.any():
                a["per_img_d"].append(d); a["per_img_i"].append(iou); a["infnet"].append(M.infnet_dice(gt, np.clip(prob, 0, 1)))
            else:
                a["n_neg"] += 1; a["fp_px_on_negatives"] += int(pred.sum())
    for c in classes:
        a = acc[c]
        if not a["per_img_d"]: continue
        dd = np.array(a["per_img_d"]); rng = np.random.default_rng(0)
        bs = [dd[rng.integers(0, len(dd), len(dd))].mean() for _ in range(1000)]
        res[c] = dict(n_images_with_class=len(dd), dice_per_image=[float(dd.mean()), float(np.percentile(bs, 2.5)), float(np.percentile(bs, 97.5))],
                      iou_per_image=float(np.mean(a["per_img_i"])), dice_pooled=2 * a["I"] / max(a["S"], 1), iou_pooled=a["I"] / max(a["U"], 1),
                      dice_infnet_protocol=float(np.mean(a["infnet"])), n_negative_slices=a["n_neg"],
                      mean_fp_pixels_on_negative_slices=a["fp_px_on_negatives"] / max(a["n_neg"], 1))
    return res


def seg_probs_binary(net, cls):
    def f(x):
        with torch.no_grad():
            p = torch.sigmoid(net(to_input(x))).numpy()[:, 0]
        return {cls: p}, None
    return f


def seg_probs_all(net):
    names = ["background", "ggo", "consolidation", "effusion"]
    def f(x):
        with torch.no_grad():
            p = torch.softmax(net(to_input(x)), 1).numpy()
        am = p.argmax(1)
        return {names[k]: p[:, k] for k in range(1, 4)}, {names[k]: (am == k) for k in range(1, 4)}
    return f


def stage3(tag="", quant=True, split="test", val_thresholds=True):
    items = seg_test_items(split)
    out = {"weights": "int8" if quant else "fp32", "split": "test: 10 Inf-Net doctor-labelled slices (GGO, consolidation; image-level split, patients may leak), "
                    "ct-effusion patient held out (effusion)", "resolution": "native (probability map resized back, half-pixel bilinear)", "models": {}}
    for name, cls in [("seg-ggo", "ggo"), ("seg-ggo-scratch", "ggo"), ("seg-consolidation", "consolidation"), ("seg-effusion", "effusion"), ("seg-all", None)]:
        if not os.path.exists(os.path.join(CKPT, name + tag + ".pt")): continue
        net = load("seg-all" if cls is None else "seg", name + tag)
        if quant: fake_quant_(net)
        key = "x512" if name.startswith("seg-effusion") else "x"  # the effusion stream runs at native 512 px
        if cls is None:
            r = seg_eval(seg_probs_all(net), items, ["ggo", "consolidation", "effusion"])
        else:
            r = seg_eval(seg_probs_binary(net, cls), items, [cls], key=key)
        if cls is not None and val_thresholds:
            # threshold chosen on the validation split only (grid), then applied once to test
            val = seg_test_items("val")
            grid = [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]
            vd = [seg_eval(seg_probs_binary(net, cls), val, [cls], t, key).get(cls, {}).get("dice_per_image", [0])[0] for t in grid]
            bt = grid[int(np.argmax(vd))]
            rt = seg_eval(seg_probs_binary(net, cls), items, [cls], bt, key)[cls]
            r[cls]["val_threshold"] = dict(grid=grid, val_dice=vd, chosen=bt, test_dice_per_image=rt["dice_per_image"],
                                           test_dice_pooled=rt["dice_pooled"], test_mean_fp_pixels_on_negative_slices=rt["mean_fp_pixels_on_negative_slices"])
        r["train_seconds"] = torch.load(os.path.join(CKPT, name + tag + ".pt"))["meta"]["seconds"]
        out["models"][name] = r
        print(name, json.dumps({k: v.get("dice_per_image") for k, v in r.items() if isinstance(v, dict)}), flush=True)
    return out


def quant_check(tag=""):
    """fp32 vs int8 weights on the VALIDATION split (float32 activations both)."""
    out = {"split": "val"}
    rows = D.read_csv(os.path.join(D.SPLITS, "stage1_cls.csv"))
    X = np.load(os.path.join(D.CACHE, "cls299.npy"), mmap_mode="r")
    val = [i for i, r in enumerate(rows) if r["split"] == "val"]
    val = sorted(np.random.default_rng(0).choice(val, size=min(300, len(val)), replace=False).tolist())
    net = load("recognition", "recognition" + tag)
    a = stage1_eval(net, rows, X, val, quick=True)
    b = stage1_eval(fake_quant_(copy.deepcopy(net)), rows, X, val, quick=True)
    out["recognition"] = dict(n=len(val), fp32_acc2=a["two_class_all"]["accuracy"][0], int8_acc2=b["two_class_all"]["accuracy"][0],
                              fp32_auroc2=a["two_class_all"]["auroc"][0], int8_auroc2=b["two_class_all"]["auroc"][0],
                              fp32_acc4=a["four_class"]["accuracy"], int8_acc4=b["four_class"]["accuracy"],
                              max_abs_p2_diff=float(np.abs(a["_pred"]["p2"] - b["_pred"]["p2"]).max()))
    net = load("manifestations", "manifestations" + tag)
    a = stage2(tag, net, "val"); b = stage2(tag, fake_quant_(copy.deepcopy(net)), "val")
    out["manifestations"] = {k: dict(fp32_auroc=a[k]["auroc"][0], int8_auroc=b[k]["auroc"][0]) for k in ["ggo", "consolidation", "effusion"]}
    a = stage3(tag, quant=False, split="val", val_thresholds=False); b = stage3(tag, quant=True, split="val", val_thresholds=False)
    out["segmentation"] = {n: {c: dict(fp32_dice=v["dice_per_image"][0], int8_dice=b["models"][n][c]["dice_per_image"][0])
                               for c, v in m.items() if isinstance(v, dict)} for n, m in a["models"].items()}
    return out


if __name__ == "__main__":
    p = argparse.ArgumentParser(); p.add_argument("what"); p.add_argument("--tag", default="")
    a = p.parse_args()
    torch.set_num_threads(2); torch.manual_seed(0)
    if a.what == "stage1": stage1(a.tag)
    elif a.what == "stage2": jdump(stage2(a.tag), os.path.join(RES, "stage2.json"))
    elif a.what == "stage3": jdump(stage3(a.tag), os.path.join(RES, "stage3.json"))
    elif a.what == "quant": jdump(quant_check(a.tag), os.path.join(RES, "quantization.json"))
