"""Dataset indexing, patient-level splits (written to training/splits/*.csv) and uint8 caches."""
import csv, glob, hashlib, os, random
import numpy as np
from PIL import Image
from .preprocess import load_image_u8, load_dicom_u8, infnet_orient, prepare_u8, resize_float

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))  # training/
REPO = os.path.dirname(HERE)
DATA = os.environ.get("PLEURA_DATA", os.path.join(REPO, "..", "shared", "data"))
CACHE = os.path.join(HERE, ".cache")
SPLITS = os.path.join(HERE, "splits")
SEED = 1234

CXR_MAP = {
    "COVID-19": "covid19", "COVID-19, ARDS": "covid19", "normal": "normal", "No Finding": "normal",
    "viral": "viral", "Influenza": "viral", "Varicella": "viral", "SARS": "viral",
    "bacterial": "bacterial", "Streptococcus": "bacterial", "Klebsiella": "bacterial", "Legionella": "bacterial",
    "E.Coli": "bacterial", "Mycoplasma Bacterial Pneumonia": "bacterial", "Bacterial": "bacterial",
}  # excluded: todo, Pneumocystis, Lipoid, ARDS (alone), Pneumonia (unspecified)
L4 = ["covid19", "normal", "viral", "bacterial"]
L2 = ["normal", "covid19"]


def hfrac(s, seed=SEED):
    return int(hashlib.sha1(f"{seed}:{s}".encode()).hexdigest()[:8], 16) / 2 ** 32


def split_of(pid, val=0.15, test=0.15):
    u = hfrac(pid)
    return "test" if u < test else ("val" if u < test + val else "train")


def source_short(src, file):
    if file.startswith("kermany"): return "kermany"
    if file.startswith("radiography-db"): return "radiography-db"
    if file.startswith("ieee8023"): return "ieee8023"
    if file.startswith("ucsd"): return "ucsd"
    if file.startswith("luna"): return "luna"
    return src


def build_cls_index():
    """Rows: file, modality, source, patient_id, label4 (or ''), y2 (-1 masked), y4 (-1 masked), split."""
    rows = []
    with open(os.path.join(DATA, "cxr", "manifest.csv")) as f:
        for r in csv.DictReader(f):
            lab = CXR_MAP.get(r["label"].strip())
            if lab is None: continue
            y4 = L4.index(lab)
            y2 = {"covid19": 1, "normal": 0}.get(lab, -1)
            pid = r["patient_id"] or r["file"]
            rows.append(dict(file="cxr/" + r["file"], modality="xray", source=source_short("", r["file"]),
                             patient_id=pid, label=lab, y2=y2, y4=y4, split=split_of("cxr:" + pid)))
    with open(os.path.join(DATA, "ct-cls", "manifest.csv")) as f:
        for r in csv.DictReader(f):
            cov = r["label"] == "COVID"
            src = source_short("", r["file"])
            pid = r["patient_id"] or r["file"]
            if src == "ucsd":
                # keep UCSD's own patient-disjoint split; its val half goes to our val, half to test
                sp = "train" if r["split"] == "train" else ("val" if hfrac("ctval:" + pid) < 0.5 else "test")
            else:
                sp = split_of("ct:" + pid)
            rows.append(dict(file="ct-cls/" + r["file"], modality="ct", source=src, patient_id=pid,
                             label="covid19" if cov else "noncovid_ct", y2=1 if cov else 0,
                             y4=0 if cov else -1, split=sp))
    return rows


def write_csv(path, rows, keys):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=keys, extrasaction="ignore"); w.writeheader(); w.writerows(rows)


def read_csv(path):
    with open(path) as f:
        return list(csv.DictReader(f))


def build_seg_index():
    base = os.path.join(DATA, "ct-covid-seg", "TrainingSet")
    files = sorted(glob.glob(os.path.join(base, "MultiClassInfection-Train", "Imgs", "*.jpg")),
                   key=lambda p: int(os.path.basename(p)[:-4]))
    rng = random.Random(SEED); order = list(range(len(files))); rng.shuffle(order)
    sp = {}
    for k, i in enumerate(order): sp[i] = "train" if k < 30 else ("val" if k < 40 else "test")
    infnet = [dict(set="infnet50", file=os.path.relpath(p, DATA), split=sp[i]) for i, p in enumerate(files)]
    pseudo = [dict(set="pseudo500", file=os.path.relpath(p, DATA), split="pretrain")
              for p in sorted(glob.glob(os.path.join(base, "LungInfection-Train", "Pseudo-label", "Imgs", "*.jpg")))]
    eff = read_csv(os.path.join(DATA, "ct-effusion", "index.csv"))
    pats = sorted({r["patient"] for r in eff})
    rng = random.Random(SEED); p2 = pats[:]; rng.shuffle(p2)
    psplit = {p: ("test" if i == 0 else "val" if i == 1 else "train") for i, p in enumerate(p2)}
    effr = [dict(set="effusion", file="ct-effusion/" + r["dicom"], mask="ct-effusion/" + r["mask"],
                 patient=r["patient"], split=psplit[r["patient"]]) for r in eff]
    return infnet, pseudo, effr


def make_splits():
    os.makedirs(SPLITS, exist_ok=True)
    cls = build_cls_index()
    write_csv(os.path.join(SPLITS, "stage1_cls.csv"), cls, ["file", "modality", "source", "patient_id", "label", "y2", "y4", "split"])
    infnet, pseudo, eff = build_seg_index()
    write_csv(os.path.join(SPLITS, "seg_infnet50.csv"), infnet, ["set", "file", "split"])
    write_csv(os.path.join(SPLITS, "seg_pseudo500.csv"), pseudo, ["set", "file", "split"])
    write_csv(os.path.join(SPLITS, "seg_effusion.csv"), eff, ["set", "file", "mask", "patient", "split"])


def _mask_resize(m, size):
    return resize_float(m.astype(np.float64), size, size) >= 0.5


def effusion_slices(eff, size, native=None):
    """ct-effusion rows -> preprocessed slices and masks at size (lists); held-out native masks into `native`."""
    EX, EY = [], []
    for r in eff:
        g = load_dicom_u8(os.path.join(DATA, r["file"]))
        m = np.asarray(Image.open(os.path.join(DATA, r["mask"])).convert("L")) > 127
        EX.append(prepare_u8(g, size)); EY.append(_mask_resize(m, size).astype(np.uint8))
        if native is not None and r["split"] != "train": native[r["file"]] = m.astype(np.uint8)
    return EX, EY


def build_caches():
    os.makedirs(CACHE, exist_ok=True)
    cls = read_csv(os.path.join(SPLITS, "stage1_cls.csv"))
    out = os.path.join(CACHE, "cls299.npy")
    if not os.path.exists(out):
        X = np.zeros((len(cls), 299, 299), np.uint8)
        for i, r in enumerate(cls):
            X[i] = prepare_u8(load_image_u8(os.path.join(DATA, r["file"])), 299)
        np.save(out, X)
    out = os.path.join(CACHE, "seg256.npz")
    if not os.path.exists(out):
        infnet = read_csv(os.path.join(SPLITS, "seg_infnet50.csv"))
        X, Y = [], []
        native = {}
        for r in infnet:
            g = infnet_orient(load_image_u8(os.path.join(DATA, r["file"])))
            gt_path = os.path.join(DATA, r["file"]).replace("/Imgs/", "/GT/")[:-4] + ".png"
            gt = infnet_orient(np.asarray(Image.open(gt_path)))
            X.append(prepare_u8(g, 256))
            lab = np.zeros((256, 256), np.uint8)
            lab[_mask_resize(gt == 1, 256)] = 1
            lab[_mask_resize(gt == 2, 256)] = 2
            Y.append(lab); native[r["file"]] = gt.astype(np.uint8)
        ps = read_csv(os.path.join(SPLITS, "seg_pseudo500.csv"))
        PX, PY = [], []
        for r in ps:
            g = infnet_orient(load_image_u8(os.path.join(DATA, r["file"])))
            gt = np.asarray(Image.open(os.path.join(DATA, r["file"]).replace("/Imgs/", "/GT/")[:-4] + ".png").convert("L"))
            gt = infnet_orient(gt)
            PX.append(prepare_u8(g, 256))
            PY.append(np.clip(np.floor(resize_float(gt, 256, 256) + 0.5), 0, 255).astype(np.uint8))
        eff = read_csv(os.path.join(SPLITS, "seg_effusion.csv"))
        EX, EY = effusion_slices(eff, 256, native)
        np.savez(out, X=np.stack(X), Y=np.stack(Y), PX=np.stack(PX), PY=np.stack(PY), EX=np.stack(EX), EY=np.stack(EY))
        np.savez_compressed(os.path.join(CACHE, "native_masks.npz"), **{k.replace("/", "|"): v for k, v in native.items()})


if __name__ == "__main__":
    make_splits(); build_caches()


def luna256():
    """LUNA16 non-COVID CT slices (ct-cls/luna) at 256: used as GGO/consolidation-negative CT slices."""
    out = os.path.join(CACHE, "luna256.npz")
    cls = read_csv(os.path.join(SPLITS, "stage1_cls.csv"))
    rows = [r for r in cls if r["source"] == "luna"]
    if not os.path.exists(out):
        X = np.stack([prepare_u8(load_image_u8(os.path.join(DATA, r["file"])), 256) for r in rows])
        np.savez(out, X=X)
    return np.load(out)["X"], np.array([r["split"] for r in rows])


def effusion512():
    """ct-effusion slices and LUNA negatives at the DICOM's native 512 px (the effusion stream's input size).
    Effusions in the held-out patients cover 200-750 px of a 512x512 slice, a few pixels thick: at 256 px they
    shrink to thin crescents that the stride-16 network cannot resolve, so this stream runs at full resolution."""
    out = os.path.join(CACHE, "effusion512.npz")
    if not os.path.exists(out):
        eff = read_csv(os.path.join(SPLITS, "seg_effusion.csv"))
        EX, EY = effusion_slices(eff, 512)
        cls = read_csv(os.path.join(SPLITS, "stage1_cls.csv"))
        luna = [r for r in cls if r["source"] == "luna"]
        LX = np.stack([prepare_u8(load_image_u8(os.path.join(DATA, r["file"])), 512) for r in luna])
        np.savez(out, EX=np.stack(EX), EY=np.stack(EY), LX=LX, esplit=np.array([r["split"] for r in eff]),
                 efile=np.array([r["file"] for r in eff]), lsplit=np.array([r["split"] for r in luna]))
    return np.load(out)
