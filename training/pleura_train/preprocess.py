"""Python reference of docs/model-contract.md (preprocessing v1).

Every function here is the definition the TypeScript engine reproduces bit for bit
(checked by tests/fixtures/parity). Do not change the arithmetic without bumping the
contract version.
"""
import math
import numpy as np
from PIL import Image

PREPROCESSING = {
    "ctWindow": {"center": -450, "width": 1250},
    "clahe": {"tiles": 8, "clipLimit": 2.0},
    "normalize": {"mean": 0.5, "std": 0.5},
    "resize": "bilinear-half-pixel",
    "infnetOrientation": "transpose",
}


def window_to_u8(values, center, width):
    """Linear window: G = clamp(floor((v - lo) * 255 / W + 0.5), 0, 255), lo = C - W/2 (float64)."""
    v = np.asarray(values, dtype=np.float64)
    lo = center - width / 2.0
    g = np.floor((v - lo) * 255.0 / width + 0.5)
    return np.clip(g, 0, 255).astype(np.uint8)


def dicom_to_u8(ds, ct_window=None):
    """Step 1 for a pydicom dataset: CT -> HU -> CT window; X-ray -> own window or min/max."""
    win = ct_window or PREPROCESSING["ctWindow"]
    arr = ds.pixel_array  # signed when PixelRepresentation == 1 (pydicom does this)
    slope = float(getattr(ds, "RescaleSlope", 1) or 1)
    inter = float(getattr(ds, "RescaleIntercept", 0) or 0)
    val = arr.astype(np.float64) * slope + inter
    modality = str(getattr(ds, "Modality", "CT"))
    if modality == "CT":
        return window_to_u8(val, win["center"], win["width"])
    wc, ww = getattr(ds, "WindowCenter", None), getattr(ds, "WindowWidth", None)
    if wc is not None and ww is not None:
        wc = float(wc[0] if isinstance(wc, pydicom_multi()) else wc)
        ww = float(ww[0] if isinstance(ww, pydicom_multi()) else ww)
        g = window_to_u8(val, wc, ww)
    else:
        mn, mx = float(val.min()), float(val.max())
        w = max(mx - mn, 1e-12)
        g = window_to_u8(val, mn + w / 2.0, w)
    if str(getattr(ds, "PhotometricInterpretation", "")) == "MONOCHROME1":
        g = (255 - g).astype(np.uint8)
    return g


def pydicom_multi():
    from pydicom.multival import MultiValue
    return MultiValue


def load_dicom_u8(path, ct_window=None):
    import pydicom
    return dicom_to_u8(pydicom.dcmread(path), ct_window)


def load_image_u8(path):
    """PNG/JPEG -> 8-bit grey. Colour: PIL convert('L') (ITU-R 601-2 luma, fixed point); alpha ignored."""
    im = Image.open(path)
    if im.mode in ("I;16", "I;16B", "I;16L", "I"):
        a = np.asarray(im).astype(np.float64)
        mn, mx = a.min(), a.max()
        return window_to_u8(a, mn + (mx - mn) / 2, max(mx - mn, 1e-12))
    if im.mode == "P":
        im = im.convert("RGBA")
    if im.mode in ("RGBA", "LA"):
        im = im.convert("RGB" if im.mode == "RGBA" else "L")
    if im.mode != "L":
        im = im.convert("L")
    return np.asarray(im, dtype=np.uint8).copy()


def infnet_orient(g):
    """Inf-Net (ct-covid-seg) slices are stored transposed relative to DICOM; undo it."""
    return np.ascontiguousarray(np.asarray(g).T)


def _resize_axis_params(n_in, n_out):
    scale = n_in / n_out
    src = (np.arange(n_out, dtype=np.float64) + 0.5) * scale - 0.5
    src = np.maximum(src, 0.0)
    i0 = np.floor(src).astype(np.int64)
    i1 = np.minimum(i0 + 1, n_in - 1)
    w = src - i0
    return i0, i1, w


def resize_float(img, out_h, out_w):
    """Bilinear half-pixel (align_corners=False, no antialias) in float64, no rounding."""
    a = np.asarray(img, dtype=np.float64)
    h, w = a.shape[-2:]
    y0, y1, wy = _resize_axis_params(h, out_h)
    x0, x1, wx = _resize_axis_params(w, out_w)
    wy = wy[:, None]
    wx = wx[None, :]
    A = a[..., y0[:, None], x0[None, :]]
    B = a[..., y0[:, None], x1[None, :]]
    C = a[..., y1[:, None], x0[None, :]]
    D = a[..., y1[:, None], x1[None, :]]
    return (1 - wy) * ((1 - wx) * A + wx * B) + wy * ((1 - wx) * C + wx * D)


def resize_u8(img, size):
    v = resize_float(img, size, size)
    return np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)


def clahe_u8(img, tiles=8, clip_limit=2.0):
    """Exact integer CLAHE of the contract (docs/model-contract.md section 2.2)."""
    img = np.asarray(img, dtype=np.uint8)
    H, W = img.shape
    ey = [(k * H) // tiles for k in range(tiles + 1)]
    ex = [(k * W) // tiles for k in range(tiles + 1)]
    lut = np.zeros((tiles, tiles, 256), dtype=np.int64)
    for i in range(tiles):
        for j in range(tiles):
            t = img[ey[i]:ey[i + 1], ex[j]:ex[j + 1]]
            A = t.size
            h = np.bincount(t.ravel(), minlength=256).astype(np.int64)
            clip = max(1, int(math.floor(clip_limit * A / 256)))
            excess = int(np.maximum(h - clip, 0).sum())
            h = np.minimum(h, clip)
            h += excess // 256
            h[: excess % 256] += 1
            cdf = np.cumsum(h)
            lut[i, j] = (2 * 255 * cdf + A) // (2 * A)

    def axis(n, e):
        c = np.array([(e[k] + e[k + 1] - 1) / 2.0 for k in range(tiles)])
        pos = np.arange(n, dtype=np.float64)
        k0 = np.zeros(n, dtype=np.int64)
        k1 = np.zeros(n, dtype=np.int64)
        w = np.zeros(n, dtype=np.float64)
        for p in range(n):
            y = pos[p]
            if y <= c[0]:
                k0[p] = k1[p] = 0
            elif y >= c[tiles - 1]:
                k0[p] = k1[p] = tiles - 1
            else:
                k = int(np.searchsorted(c, y, side="right") - 1)
                k0[p], k1[p] = k, k + 1
                w[p] = (y - c[k]) / (c[k + 1] - c[k])
        return k0, k1, w

    r0, r1, wy = axis(H, ey)
    c0, c1, wx = axis(W, ex)
    R0, R1 = r0[:, None], r1[:, None]
    C0, C1 = c0[None, :], c1[None, :]
    L00 = lut[R0, C0, img].astype(np.float64)
    L01 = lut[R0, C1, img].astype(np.float64)
    L10 = lut[R1, C0, img].astype(np.float64)
    L11 = lut[R1, C1, img].astype(np.float64)
    wy = wy[:, None]
    wx = wx[None, :]
    v = (1 - wy) * ((1 - wx) * L00 + wx * L01) + wy * ((1 - wx) * L10 + wx * L11)
    return np.clip(np.floor(v + 0.5), 0, 255).astype(np.uint8)


def prepare_u8(g, size, prep=PREPROCESSING):
    """Steps 2.1-2.2: resize to size x size then CLAHE -> uint8 (cached for training)."""
    c = prep["clahe"]
    return clahe_u8(resize_u8(g, size), c["tiles"], c["clipLimit"])


def normalize(u8, channels=1, prep=PREPROCESSING):
    """Step 2.3-2.4: uint8 [H,W] -> float32 [1,C,H,W]."""
    m, s = prep["normalize"]["mean"], prep["normalize"]["std"]
    # computed in float64, then rounded once to float32 (what JS does with Float32Array)
    x = ((np.asarray(u8, dtype=np.float64) / 255.0) - m) / s
    x = np.repeat(x[None, None], channels, axis=1)
    return np.ascontiguousarray(x.astype(np.float32))


def preprocess(g, size, channels, prep=PREPROCESSING):
    return normalize(prepare_u8(g, size, prep), channels, prep)
