"""Leave-one-patient-out estimate for the effusion stream: python3 -m pleura_train.lopo [--steps 300]

The shipped split tests effusion on one patient (LUNG1-005), which says little about a population. Here each of the
six ct-effusion patients is held out in turn, a stream is fine-tuned from seg-pretrain on the other five (+ LUNA
negatives), and Dice per image is measured on the held-out patient at threshold 0.5 (fp32 weights, native 512 px).
Folds train for fewer steps than the shipped stream (CPU budget) and on five patients instead of four: this is an
estimate of how the method generalises across patients, not a measurement of the shipped weights.
Writes results/effusion_lopo.json; checkpoints are not kept.
"""
import argparse, json, os, time
import numpy as np
import torch
from PIL import Image
from . import data as D
from .evaluate import RES, jdump, seg_eval, seg_probs_binary
from .models import DeepLabV3Plus
from .train import DEFAULTS, Log, setup, train_seg, CKPT


def main():
    p = argparse.ArgumentParser(); p.add_argument("--steps", type=int, default=300)
    a0 = p.parse_args()
    e = D.effusion512()
    rows = D.read_csv(os.path.join(D.SPLITS, "seg_effusion.csv"))
    patients = np.array([r["patient"] for r in rows])
    ml = e["lsplit"] == "train"
    out = {"method": __doc__.strip().split("\n\n")[1].replace("\n", " "), "steps": a0.steps, "folds": {}}
    for pat in sorted(set(patients)):
        tr = patients != pat
        X = np.concatenate([e["EX"][tr], e["LX"][ml]]); T = np.concatenate([e["EY"][tr], np.zeros((ml.sum(), 512, 512), np.uint8)])
        w = np.concatenate([np.full(tr.sum(), 4.0 / tr.sum()), np.full(ml.sum(), 1.0 / ml.sum())])
        a = argparse.Namespace(**dict(DEFAULTS["seg-effusion"], steps=a0.steps, seed=D.SEED, size=224, size2=299, steps2=0, snap=0, tag=""))
        setup(a.seed)
        name = f"lopo-effusion-{pat}"
        t0 = time.time()
        train_seg("seg-effusion", name, a, Log(name), data=(X, T, w))
        net = DeepLabV3Plus(1); net.load_state_dict(torch.load(os.path.join(CKPT, name + ".pt"))["state"]); net.eval()
        os.remove(os.path.join(CKPT, name + ".pt"))
        items = [dict(x512=e["EX"][i], gt={"effusion": np.asarray(Image.open(os.path.join(D.DATA, rows[i]["mask"])).convert("L")) > 127})
                 for i in np.where(~tr)[0]]
        r = seg_eval(seg_probs_binary(net, "effusion"), items, ["effusion"], 0.5, "x512")["effusion"]
        r["minutes"] = (time.time() - t0) / 60
        out["folds"][pat] = r
        print(pat, json.dumps(r["dice_per_image"]), flush=True)
    d = [v["dice_per_image"][0] for v in out["folds"].values()]
    out["mean_dice_per_image_over_patients"] = float(np.mean(d)); out["min"] = float(np.min(d)); out["max"] = float(np.max(d))
    jdump(out, os.path.join(RES, "effusion_lopo.json"))
    print("mean", out["mean_dice_per_image_over_patients"])


if __name__ == "__main__":
    main()
