"""Export to ONNX (opset 13, dynamic batch, activations in-graph), int8 per-channel weight-only QDQ storage,
parity fixtures for the TypeScript engine, and resources/models/manifest.json.

python3 -m pleura_train.export [--tag=-early] [--version 1.0.0]
"""
import argparse, copy, hashlib, json, os, shutil
import numpy as np
import onnx
from onnx import helper, numpy_helper as nh, TensorProto
import torch
from . import data as D
from .models import WithActivation
from .evaluate import load, fake_quant_
from .preprocess import PREPROCESSING, load_image_u8, load_dicom_u8, prepare_u8, normalize

MODELS_DIR = os.path.join(D.REPO, "resources", "models")
FIX = os.path.join(D.REPO, "tests", "fixtures", "parity")

SPECS = [
    dict(id="recognition", stage=1, task="classification", size=299, channels=3,
         outputs=[dict(name="p2", labels=D.L2), dict(name="p4", labels=D.L4)], thresholds={"covid19": 0.5}),
    dict(id="manifestations", stage=2, task="multilabel-classification", size=256, channels=1,
         outputs=[dict(name="probs", labels=["ggo", "consolidation", "effusion"])],
         thresholds={"ggo": 0.5, "consolidation": 0.5, "effusion": 0.5}),
    dict(id="seg-ggo", stage=3, task="segmentation", size=256, channels=1, outputs=[dict(name="prob", labels=["ggo"])], thresholds={"ggo": 0.5}),
    dict(id="seg-consolidation", stage=3, task="segmentation", size=256, channels=1,
         outputs=[dict(name="prob", labels=["consolidation"])], thresholds={"consolidation": 0.5}),
    dict(id="seg-effusion", stage=3, task="segmentation", size=512, channels=1, outputs=[dict(name="prob", labels=["effusion"])], thresholds={"effusion": 0.5}),
    dict(id="seg-all", stage=3, task="segmentation-multiclass", size=256, channels=1,
         outputs=[dict(name="prob", labels=["background", "ggo", "consolidation", "effusion"])], thresholds={}),
]
KIND = {"recognition": "recognition", "manifestations": "manifestations", "seg-all": "seg-all"}


def quantize_weights(path):
    """Replace float Conv/Gemm/MatMul weight initializers by int8 + per-output-channel DequantizeLinear."""
    m = onnx.load(path)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    done, new_nodes, drop = set(), [], set()
    for node in g.node:
        if node.op_type not in ("Conv", "Gemm", "MatMul") or len(node.input) < 2: continue
        name = node.input[1]
        if name not in inits or name in done: continue
        W = nh.to_array(inits[name]).astype(np.float32)
        if W.ndim < 2 or W.size < 64: continue
        if node.op_type == "Conv": axis = 0
        elif node.op_type == "Gemm":
            tb = [a.i for a in node.attribute if a.name == "transB"]
            axis = 0 if (tb and tb[0] == 1) else 1
        else: axis = 1
        red = tuple(k for k in range(W.ndim) if k != axis)
        s = np.abs(W).max(axis=red) / 127.0
        s = np.where(s > 0, s, 1e-12).astype(np.float32)
        shp = [1] * W.ndim; shp[axis] = -1
        q = np.clip(np.round(W / s.reshape(shp)), -127, 127).astype(np.int8)
        g.initializer.extend([nh.from_array(q, name + "_q"), nh.from_array(s, name + "_scale"),
                              nh.from_array(np.zeros_like(s, dtype=np.int8), name + "_zp")])
        new_nodes.append(helper.make_node("DequantizeLinear", [name + "_q", name + "_scale", name + "_zp"], [name],
                                          name=name + "_dq", axis=axis))
        drop.add(name); done.add(name)
    keep = [i for i in g.initializer if i.name not in drop]
    del g.initializer[:]; g.initializer.extend(keep)
    nodes = new_nodes + list(g.node)
    del g.node[:]; g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, path)
    return len(done)


def export_one(spec, tag):
    net = load(KIND.get(spec["id"], "seg"), spec["id"] + tag)
    fake_quant_(net)  # the reference PyTorch model = int8-dequantised weights (what the QDQ graph computes)
    wrap = WithActivation(net, KIND.get(spec["id"], "seg")).eval()
    x = torch.zeros(1, spec["channels"], spec["size"], spec["size"])
    path = os.path.join(MODELS_DIR, spec["id"] + ".onnx")
    outs = [o["name"] for o in spec["outputs"]]
    dyn = {"input": {0: "N"}}; dyn.update({o: {0: "N"} for o in outs})
    torch.onnx.export(wrap, x, path, opset_version=13, input_names=["input"], output_names=outs, dynamic_axes=dyn,
                      do_constant_folding=True)
    nq = quantize_weights(path)
    return wrap, path, nq


def sha256(p):
    h = hashlib.sha256(); h.update(open(p, "rb").read()); return h.hexdigest()


def fixture_inputs():
    """Three real inputs shared across models (small files, licences in LICENSES.md)."""
    cls = D.read_csv(os.path.join(D.SPLITS, "stage1_cls.csv"))
    xr = sorted([r for r in cls if r["split"] == "test" and r["source"] == "kermany" and r["label"] == "normal"], key=lambda r: r["file"])[0]
    inf = [r for r in D.read_csv(os.path.join(D.SPLITS, "seg_infnet50.csv")) if r["split"] == "test"]
    inf = sorted(inf, key=lambda r: os.path.getsize(os.path.join(D.DATA, r["file"])))[len(inf) // 2]
    eff = [r for r in D.read_csv(os.path.join(D.SPLITS, "seg_effusion.csv")) if r["split"] == "test"]
    from PIL import Image
    area = lambda r: int((np.asarray(Image.open(os.path.join(D.DATA, r["mask"])).convert("L")) > 127).sum())
    eff = max(eff, key=area)  # the test patient's slice with the largest effusion
    return [
        dict(key="ct_dicom", src=eff["file"], modality="CT", fmt="dicom", copy="ct_effusion_slice.dcm"),
        dict(key="ct_infnet", src=inf["file"], modality="CT", fmt="jpeg", copy="ct_infnet_slice.jpg"),
        dict(key="xray", src=xr["file"], modality="XRAY", fmt="jpeg", copy="xray_kermany_normal.jpeg"),
    ]


def main():
    p = argparse.ArgumentParser(); p.add_argument("--tag", default=""); p.add_argument("--version", default="1.0.0")
    a = p.parse_args()
    torch.set_num_threads(2)
    os.makedirs(MODELS_DIR, exist_ok=True)
    if os.path.isdir(FIX): shutil.rmtree(FIX)
    os.makedirs(FIX)
    inputs = fixture_inputs()
    idx = {"contract": "docs/model-contract.md v1", "dtype": "float32 little-endian raw (C order)",
           "note": "Outputs are PyTorch (float32, eval mode) with the same int8-dequantised weights as the ONNX graph.",
           "notes": ["Every file is fed as stored: the Inf-Net JPEG is NOT transposed at inference (contract section 1).",
                     "G (DICOM only) = step 1 output (uint8, rows x columns as stored); tensors = steps 2.1-2.4.",
                     "The 256x1 tensors are shared by manifestations and the 256 px seg-* models; seg-effusion (native 512 px) has 512x1 tensors; recognition has the X-ray 299x3 tensor.",
                     "Seg outputs are stored at 256x256 for one input per model to keep the folder small."],
           "inputs": [], "cases": []}
    tens = {}
    for inp in inputs:
        srcp = os.path.join(D.DATA, inp["src"])
        shutil.copyfile(srcp, os.path.join(FIX, inp["copy"]))
        G = load_dicom_u8(srcp) if inp["fmt"] == "dicom" else load_image_u8(srcp)
        e = dict(key=inp["key"], file=inp["copy"], source=inp["src"], modality=inp["modality"], format=inp["fmt"], shapeG=list(G.shape))
        if inp["fmt"] == "dicom":
            G.tofile(os.path.join(FIX, inp["key"] + "_G_u8.bin")); e["G"] = inp["key"] + "_G_u8.bin"
            e["ctWindow"] = PREPROCESSING["ctWindow"]
        for S, C in sorted({(sp["size"], sp["channels"]) for sp in SPECS}):
            t = normalize(prepare_u8(G, S), C)
            tens[(inp["key"], S)] = t
        idx["inputs"].append(e)
    manifest = {"schemaVersion": 1, "preprocessing": PREPROCESSING, "models": []}
    res = {k: (json.load(open(os.path.join(D.HERE, "results", k + ".json"))) if os.path.exists(os.path.join(D.HERE, "results", k + ".json")) else {})
           for k in ["stage1", "stage2", "stage3", "quantization"]}
    written = set()
    for spec in SPECS:
        wrap, path, nq = export_one(spec, a.tag)
        S = spec["size"]
        # recognition: full 3-channel tensors for the X-ray and the DICOM CT; all 256 models share the 1-channel tensors
        keys = ["xray"] if spec["id"] == "recognition" else (
            ["ct_dicom", "ct_infnet", "xray"] if spec["id"] == "manifestations" else
            (["ct_dicom"] if spec["id"] == "seg-effusion" else ["ct_infnet"]))
        for k in keys:
            t = tens[(k, S)]
            tf = f"{k}_{S}x{spec['channels']}_input.bin"
            if tf not in written:
                t.tofile(os.path.join(FIX, tf)); written.add(tf)
            with torch.no_grad():
                o = wrap(torch.from_numpy(t))
            o = o if isinstance(o, tuple) else (o,)
            ofs = []
            for od, ov in zip(spec["outputs"], o):
                of = f"{spec['id']}_{k}_{od['name']}.bin"
                ov.numpy().astype("<f4").tofile(os.path.join(FIX, of))
                ofs.append(dict(name=od["name"], file=of, shape=list(ov.shape), labels=od["labels"]))
            idx["cases"].append(dict(model=spec["id"], modelFile="resources/models/" + spec["id"] + ".onnx", input=k,
                                     tensor=tf, shape=list(t.shape), outputs=ofs))
        mentry = dict(id=spec["id"], stage=spec["stage"], task=spec["task"], version=a.version + ("-early" if a.tag else ""),
                      file=spec["id"] + ".onnx", sha256=sha256(path), bytes=os.path.getsize(path),
                      weightStorage="int8-qdq", quantizedInitializers=nq,
                      input=dict(name="input", size=S, channels=spec["channels"], layout="NCHW", dtype="float32"),
                      outputs=spec["outputs"], thresholds=operating_thresholds(spec, res),
                      thresholdSource="validation split (results/stage1.json, stage3.json: val_threshold.chosen); 0.5 where none was chosen",
                      trainingData=training_data(spec["id"]), metrics=summary_metrics(spec["id"], res),
                      card=spec["id"] + ".MODEL_CARD.md")
        manifest["models"].append(mentry)
        print(spec["id"], mentry["bytes"], "bytes", nq, "quantized initializers", flush=True)
    json.dump(manifest, open(os.path.join(MODELS_DIR, "manifest.json"), "w"), indent=2)
    json.dump(idx, open(os.path.join(FIX, "index.json"), "w"), indent=1)
    lic = {"ct_dicom": "TCIA NSCLC-Radiomics (Aerts et al. 2014, doi:10.7937/K9/TCIA.2015.PF0M9REI), **CC BY-NC 3.0**; re-encoded JPEG-LS lossless by the data curator (pixels bit-exact). Slice of patient LUNG1-005 (held-out test patient) with a PleThora effusion (Kiser et al. 2020, CC BY 4.0; mask not included).",
           "ct_infnet": "MedSeg COVID-19 CT segmentation dataset (medicalsegmentation.com/covid19, SIRM cases) as copied in Inf-Net COVID-SemiSeg (Fan et al. 2020, github.com/DengPingFan/Inf-Net): **non-commercial use only**. Test-split slice.",
           "xray": "Kermany et al. 2018, Labeled Optical Coherence Tomography (OCT) and Chest X-Ray Images (data.mendeley.com/datasets/rscbjbr9sj), **CC BY 4.0**; 224x224 copy. Pediatric normal, test split."}
    with open(os.path.join(FIX, "LICENSES.md"), "w") as f:
        f.write("# Parity fixture inputs: sources and licences\n\nThe .bin files are derived from these inputs (preprocessed tensors and model outputs) and carry the same terms.\n\n")
        for e in idx["inputs"]:
            f.write(f"- `{e['file']}` (from `{e['source']}` in the shared data): {lic[e['key']]}\n")
        f.write("\nThe models that produced the outputs are trained on non-commercial data; see resources/models/*.MODEL_CARD.md.\n")


def operating_thresholds(spec, res):
    """Shipped operating points: chosen on the validation split by evaluate.py, never on test; 0.5 otherwise."""
    th = dict(spec["thresholds"])
    try:
        if spec["id"] == "recognition":
            th["covid19"] = res["stage1"]["models"]["recognition"]["val_threshold"]["chosen"]
        elif spec["task"] == "segmentation":
            for c, v in res["stage3"]["models"][spec["id"]].items():
                if isinstance(v, dict) and "val_threshold" in v: th[c] = v["val_threshold"]["chosen"]
    except (KeyError, TypeError):
        pass
    return th


def training_data(mid):
    if mid == "recognition":
        return ["cxr/ieee8023", "cxr/kermany", "cxr/radiography-db", "ct-cls/ucsd", "ct-cls/luna"]
    if mid == "manifestations":
        return ["ct-covid-seg/MultiClassInfection-Train (30 slices)", "ct-covid-seg/Pseudo-label (GGO weak positives)",
                "ct-effusion (4 patients)", "ct-cls/luna (GGO/consolidation negatives)"]
    base = ["ct-covid-seg/Pseudo-label (pre-training, 500 slices)"]
    if mid in ("seg-ggo", "seg-consolidation"):
        return base + ["ct-covid-seg/MultiClassInfection-Train (30 slices)", "ct-cls/luna (negatives)"]
    if mid == "seg-effusion":
        return base + ["ct-effusion (4 patients)", "ct-cls/luna (negatives)"]
    return base + ["ct-covid-seg/MultiClassInfection-Train (30 slices)", "ct-effusion (4 patients)", "ct-cls/luna (negatives)"]


def summary_metrics(mid, res):
    try:
        if mid == "recognition":
            m = res["stage1"]["models"]["recognition"]
            return {"split": "test", "twoClass": {k: m["two_class_all"][k] for k in ["accuracy", "sensitivity", "specificity", "auroc", "mcc"]},
                    "fourClassAccuracy": m["four_class"]["accuracy"],
                    "twoClassAtValThreshold": {"threshold": m["val_threshold"]["chosen"],
                                               **{k: m["val_threshold"]["test"][k] for k in ["accuracy", "sensitivity", "specificity", "mcc"]}}
                    if "val_threshold" in m else None,
                    "perSourceAccuracy2": {s: v["accuracy"][0] for s, v in m["two_class_per_source"].items()}}
        if mid == "manifestations":
            return {"split": "test", "auroc": {k: res["stage2"][k]["auroc"] for k in ["ggo", "consolidation", "effusion"]}}
        m = res["stage3"]["models"][mid]
        return {"split": "test", **{c: {"dicePerImage": v["dice_per_image"], "dicePooled": v["dice_pooled"], "diceInfNetProtocol": v["dice_infnet_protocol"]}
                                    for c, v in m.items() if isinstance(v, dict)}}
    except (KeyError, TypeError):
        return {}


if __name__ == "__main__":
    main()
