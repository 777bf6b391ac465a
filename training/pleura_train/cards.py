"""Writes resources/models/<id>.MODEL_CARD.md from training/results/*.json and the manifest."""
import json, os
from . import data as D

MD = os.path.join(D.REPO, "resources", "models")
R = os.path.join(D.HERE, "results")


def j(name):
    p = os.path.join(R, name + ".json")
    return json.load(open(p)) if os.path.exists(p) else {}


def ci(v, pct=False):
    if v is None: return "n/a"
    if isinstance(v, list):
        if v[0] is None: return "n/a"
        lo = "?" if v[1] is None else f"{v[1]:.3f}"; hi = "?" if v[2] is None else f"{v[2]:.3f}"
        return f"{v[0]:.3f} [{lo}, {hi}]"
    return f"{v:.3f}"


def cls_table(m, title):
    rows = [f"| {title} | n | accuracy | sensitivity | specificity | precision | F1 | MCC | AUROC |", "|---|---|---|---|---|---|---|---|---|"]
    def row(name, r):
        rows.append(f"| {name} | {r['n']} | " + " | ".join(ci(r[k]) for k in ["accuracy", "sensitivity", "specificity", "precision", "f1", "mcc", "auroc"]) + " |")
    row("all test", m["two_class_all"]); row("X-ray", m["two_class_xray"]); row("CT", m["two_class_ct"])
    for s, r in m["two_class_per_source"].items(): row("source " + s, r)
    return "\n".join(rows)


COMMON = """## Intended use
Research and an **AI second opinion** inside Pleura, shown next to the images to a clinician who reads
the scan anyway. **Not a diagnosis and not a medical device**; it was not validated prospectively, on
other hospitals, scanners or populations. Never use it to rule COVID-19 or any finding in or out.

## Preprocessing
`docs/model-contract.md` (v1) and `resources/models/manifest.json` (`preprocessing`): CT HU window
C=-450 W=1250 to 8 bits, bilinear half-pixel resize to the input size, exact integer CLAHE (8x8 tiles,
clip 2.0), `(v/255-0.5)/0.5`, NCHW float32. Inf-Net slices were transposed back to DICOM orientation for
training; nothing is rotated at inference. Python reference: `training/pleura_train/preprocess.py`.

## Weights
Stored as int8 per-output-channel symmetric weights with `DequantizeLinear` in front of each Conv/Gemm
(`weightStorage: int8-qdq`); activations are float32. BatchNorm was folded into the convolutions before
quantisation. Effect on held-out metrics: `training/results/quantization.json` (quoted below). ONNX
(onnxruntime-node 1.30) vs PyTorch with the same weights: `training/results/onnx_parity.json`.
"""


def quant_line(q, mid):
    if not q: return "not measured"
    if mid == "recognition" and "recognition" in q:
        r = q["recognition"]
        return (f"2-class accuracy fp32 {r['fp32_acc2']:.3f} vs int8 {r['int8_acc2']:.3f}; AUROC {r['fp32_auroc2']:.3f} vs {r['int8_auroc2']:.3f}; "
                f"4-class accuracy {r['fp32_acc4']:.3f} vs {r['int8_acc4']:.3f}; max |p2 change| {r['max_abs_p2_diff']:.4f} (n={r['n']} val images).")
    if mid == "manifestations" and "manifestations" in q:
        return "; ".join(f"{k} AUROC fp32 {v['fp32_auroc']:.3f} vs int8 {v['int8_auroc']:.3f}" for k, v in q["manifestations"].items())
    s = q.get("segmentation", {}).get(mid)
    if s:
        return "; ".join(f"{c} Dice fp32 {v['fp32_dice']:.3f} vs int8 {v['int8_dice']:.3f}" for c, v in s.items())
    return "not measured"


def seg_table(m):
    rows = ["| class | images with class | Dice per image @0.5 [95% CI] | IoU per image | Dice pooled | IoU pooled | Dice Inf-Net protocol (mean of 256 thresholds) | negative slices | mean false-positive px per negative slice |",
            "|---|---|---|---|---|---|---|---|---|"]
    for c, v in m.items():
        if not isinstance(v, dict): continue
        rows.append(f"| {c} | {v['n_images_with_class']} | {ci(v['dice_per_image'])} | {v['iou_per_image']:.3f} | {v['dice_pooled']:.3f} | {v['iou_pooled']:.3f} | "
                    f"{v['dice_infnet_protocol']:.3f} | {v['n_negative_slices']} | {v['mean_fp_pixels_on_negative_slices']:.0f} |")
    return "\n".join(rows)


def header(e):
    return (f"# Model card: `{e['id']}` (stage {e['stage']}, {e['task']})\n\n"
            f"- File: `resources/models/{e['file']}` ({e['bytes']/1e6:.1f} MB), sha256 `{e['sha256']}`\n"
            f"- Version {e['version']}; input `{e['input']['name']}` [N,{e['input']['channels']},{e['input']['size']},{e['input']['size']}] float32; "
            f"outputs " + ", ".join(f"`{o['name']}` {o['labels']}" for o in e["outputs"]) + "\n"
            f"- Thresholds: {json.dumps(e['thresholds'])}\n"
            f"- Reproduce: `training/run_all.sh` (see `training/README.md`); log `training/logs/{e['id']}.log`\n\n")


def main():
    man = json.load(open(os.path.join(MD, "manifest.json")))
    s1, s2, s3, q = j("stage1"), j("stage2"), j("stage3"), j("quantization")
    from .card_texts import TEXTS as texts
    for e in man["models"]:
        mid = e["id"]
        t = header(e) + COMMON + "\n" + texts[mid]["body"] + "\n\n## Held-out results (test split, never used for training or tuning)\n\n"
        if mid == "recognition" and s1.get("models"):
            for name, m in s1["models"].items():
                t += f"### {name} (trained {m['train_seconds']/60:.1f} min)\n\n" + cls_table(m, "2-class normal vs covid19 (p2 >= 0.5)") + "\n\n"
                f4 = m["four_class"]
                t += f"4-class (p4 argmax, over images with a 4-class label): accuracy {f4['accuracy']:.3f}, macro-F1 {f4['macro_f1']:.3f}, n={f4['n']}; per source: " + \
                     ", ".join(f"{s} {v['accuracy']:.3f} (n={v['n']})" for s, v in m["four_class_per_source"].items()) + \
                     f"\n\nConfusion (rows truth {f4['labels']}, columns predicted): `{f4['confusion']}`\n\n"
            vt = s1["models"].get("recognition", {}).get("val_threshold")
            if vt:
                t += (f"### Shipped operating point: p2 >= {vt['chosen']} (chosen on the {vt['n_val']} validation images by balanced accuracy)\n\n"
                      "| test subset | n | accuracy | sensitivity | specificity | MCC |\n|---|---|---|---|---|---|\n"
                      f"| all test | {vt['test']['n']} | " + " | ".join(ci(vt["test"][k]) for k in ["accuracy", "sensitivity", "specificity", "mcc"]) + " |\n")
                for src, v in vt["test_per_source"].items():
                    t += f"| source {src} | {v['n']} | " + " | ".join(ci(v[k]) for k in ["accuracy", "sensitivity", "specificity"]) + " | |\n"
                t += "\n"
            t += "Confusion-matrix images: `training/results/recognition_cm2.png`, `recognition_cm2_valthreshold.png`, `recognition_cm4.png`, `recognition-xray_cm2.png`.\n\n"
        elif mid == "manifestations" and s2:
            t += "| label | positives | negatives | accuracy | sensitivity | specificity | precision | F1 | MCC | AUROC |\n|---|---|---|---|---|---|---|---|---|---|\n"
            for k in ["ggo", "consolidation", "effusion"]:
                r = s2[k]
                t += f"| {k} | {r['positives']} | {r['negatives']} | " + " | ".join(ci(r[x]) for x in ["accuracy", "sensitivity", "specificity", "precision", "f1", "mcc", "auroc"]) + " |\n"
            for k in ["ggo", "consolidation"]:
                r = s2.get(k + "_infnet_only")
                if r: t += f"\n{k} on the 10 COVID-19 slices only (no LUNA negatives): accuracy {ci(r['accuracy'])}, sensitivity {ci(r['sensitivity'])}, specificity {ci(r['specificity'])}, AUROC {ci(r['auroc'])} (tp {r['tp']}, tn {r['tn']}, fp {r['fp']}, fn {r['fn']})."
            t += "\n\n"
        elif s3.get("models", {}).get(mid):
            m = s3["models"][mid]
            t += f"Trained {m['train_seconds']/60:.1f} min. Evaluated at native resolution.\n\n" + seg_table(m) + "\n\n"
            for c, v in m.items():
                vt = v.get("val_threshold") if isinstance(v, dict) else None
                if vt:
                    t += (f"Shipped threshold {vt['chosen']} (best validation Dice per image over {vt['grid']}: "
                          + ", ".join(f"{x:.3f}" for x in vt["val_dice"]) + f"). At that threshold on test: {c} Dice per image "
                          f"{ci(vt['test_dice_per_image'])}, pooled {vt['test_dice_pooled']:.3f}, "
                          f"{vt['test_mean_fp_pixels_on_negative_slices']:.0f} false-positive px per negative slice.\n\n")
            if mid == "seg-ggo" and "seg-ggo-scratch" in s3["models"]:
                t += "Transfer-learning ablation, same steps, random init (`seg-ggo-scratch`):\n\n" + seg_table(s3["models"]["seg-ggo-scratch"]) + "\n\n"
            lo = j("effusion_lopo")
            if mid == "seg-effusion" and lo.get("folds"):
                t += (f"Leave-one-patient-out ({lo['steps']} steps per fold, five training patients each, fp32, threshold 0.5; "
                      "`python3 -m pleura_train.lopo`): " + lo["method"] + "\n\n| held-out patient | slices with effusion | Dice per image [95% CI] | Dice pooled | "
                      "false-positive px per effusion-free slice |\n|---|---|---|---|---|\n")
                for pat, v in lo["folds"].items():
                    t += f"| {pat} | {v['n_images_with_class']} | {ci(v['dice_per_image'])} | {v['dice_pooled']:.3f} | {v['mean_fp_pixels_on_negative_slices']:.0f} (n={v['n_negative_slices']}) |\n"
                t += f"\nMean over the six patients {lo['mean_dice_per_image_over_patients']:.3f} (range {lo['min']:.3f}-{lo['max']:.3f}).\n\n"
            if mid == "seg-all":
                t += "Specialised streams on the same test images:\n\n"
                for sid in ["seg-ggo", "seg-consolidation", "seg-effusion"]:
                    if sid in s3["models"]: t += seg_table(s3["models"][sid]).split("\n", 2)[2] + "\n"
                t += "\n"
        else:
            t += "(results not available for this build)\n\n"
        t += "Quantisation (fp32 -> int8 weights, validation split; the test numbers above are int8): " + quant_line(q, mid) + "\n\n"
        t += texts[mid]["failures"] + "\n"
        open(os.path.join(MD, mid + ".MODEL_CARD.md"), "w").write(t)
        print("card", mid)


if __name__ == "__main__":
    main()
