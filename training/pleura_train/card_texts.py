"""Hand-written parts of the model cards (numbers come from training/results/*.json)."""

LIC_CXR = """- `cxr/ieee8023`: Cohen et al., COVID-19 image data collection (github.com/ieee8023/covid-chestxray-dataset, 2020-06); per-image licences (CC BY-NC-SA, CC BY, Apache-2.0), metadata CC BY-NC-SA 4.0.
- `cxr/kermany`: Kermany et al. 2018 (Cell; data.mendeley.com/datasets/rscbjbr9sj), CC BY 4.0, **pediatric** (1-5 years, Guangzhou), 224 px squashed copies.
- `cxr/radiography-db`: COVID-19 Radiography Database v4 (Chowdhury et al. 2020, Rahman et al. 2021; kaggle.com/tawsifurrahman/covid19-radiography-database), licence not stated in the copy: research only.
- `ct-cls/ucsd`: UCSD-AI4H COVID-CT (Zhao et al. 2020, github.com/UCSD-AI4H/COVID-CT), research use, images copyright of the original papers' publishers.
- `ct-cls/luna`: 100 slices of 50 LUNA16 scans (LIDC-IDRI, CC BY 3.0)."""
LIC_SEG = """- `ct-covid-seg`: MedSeg COVID-19 CT segmentation dataset (medicalsegmentation.com/covid19, 100 slices, SIRM cases, radiologist labels) as copied in Inf-Net's COVID-SemiSeg (Fan et al. 2020, github.com/DengPingFan/Inf-Net): **non-commercial use only**. 50 doctor-labelled slices (GGO / consolidation) + 500 slices with Semi-Inf-Net soft pseudo-labels (pre-training only).
- `ct-effusion`: TCIA NSCLC-Radiomics (Aerts et al. 2014, CC BY-NC 3.0) CT with PleThora pleural-effusion masks (Kiser et al. 2020, CC BY 4.0), 6 lung-cancer patients, 355 slices (282 with effusion), from github.com/LtvnSergey/Pleural-Effusion-Detection.
- `ct-cls/luna`: LUNA16 / LIDC-IDRI slices (CC BY 3.0), used as CT slices without COVID-19 pneumonia (negatives)."""
LICENCE_NOTE = "Because of the non-commercial terms of several sources the weights are for **non-commercial research use**."

SEG_SPLIT = """## Splits (committed: `training/splits/seg_*.csv`)
- Inf-Net 50 doctor-labelled slices have no patient ids: split by image with seed 1234 into 30 train / 10 val / 10 test. **Several slices may come from the same patient, so patients can leak across splits** (the published Inf-Net numbers use a different, 50-slice held-out half).
- The 500 pseudo-labelled slices are used only for pre-training; they may contain the same patients as the 50 (not checkable).
- ct-effusion: split by patient: 4 train (LUNG1-001, -016, -024, -028), 1 val (LUNG1-008), 1 test (LUNG1-005: 57 slices, 16 with effusion).
- LUNA negatives follow the stage-1 patient split (68 train / 14 val / 18 test slices).
- No early stopping: the last checkpoint is shipped. The validation split chooses one thing only, the shipped threshold of each binary stream (grid 0.3-0.9, best validation Dice per image; `thresholds` in manifest.json); the test split was used once, after training, for the numbers below. Dice at the fixed threshold 0.5 is reported too."""

SEG_ARCH = """## Model
DeepLab-v3+ (Chen et al. 2018): MobileNetV2 backbone (1-channel stem, ReLU6 written as clamp(0,6)), output stride 16
(last stage dilated x2), ASPP with a 1x1 branch, three 3x3 atrous **separable** branches (rates 6/12/18) and image pooling,
128 channels (instead of 256, for CPU training), decoder fusing the stride-4 low-level features (48 ch) with two separable
3x3 convs, bilinear up-sampling to the input size (256x256; 512x512 for the effusion stream), activation in graph. 2.15 M parameters.

**Transfer learning** (the paper started from a pulmonary-nodule model; none is available offline): the whole network was first
pre-trained as a binary infection segmenter on the 500 pseudo-labelled Inf-Net slices (`seg-pretrain`, soft targets,
BCE + soft Dice, flips in both axes because those slices come from two differently oriented sources), then every stream was
fine-tuned from it. Training: AdamW, cosine schedule, bf16 autocast on CPU, batch 8, random affine (+-12 deg, scale 0.85-1.15),
horizontal flips, contrast/brightness jitter; loss BCE (pos_weight 2) + soft Dice for the binary streams."""

TEXTS = {}

TEXTS["recognition"] = dict(body=f"""## Model
torchvision Inception-v3 trunk (`inception_v3(weights=None, aux_logits=False, init_weights=True)`, random init, no ImageNet
weights available offline), global pooled 2048-d feature with two linear heads: `p2` softmax over [normal, covid19] and `p4` softmax
over [covid19, normal, viral, bacterial]. 21.8 M parameters. The paper's multi-modal stage 1: X-ray and CT images in one model.

## Training data and licences
{LIC_CXR}

{LICENCE_NOTE}

Label mapping: COVID-19 (+ARDS) -> covid19; normal / "No Finding" -> normal; Kermany viral + ieee Influenza, Varicella, SARS ->
viral; Kermany bacterial + ieee Streptococcus, Klebsiella, Legionella, E. coli, Mycoplasma, "Bacterial" -> bacterial.
Excluded: `todo`, Pneumocystis, Lipoid, ARDS alone, "Pneumonia" (unspecified). CT: COVID -> covid19 (both heads);
NonCOVID CT -> normal for the 2-class head and **masked** in the 4-class head (a non-COVID CT may show other pneumonia).
**The 2-class head is trained on covid19 vs normal only** (loss masked for viral/bacterial): treating bacterial pneumonia as
"normal" would teach the head that consolidation is normal. Consequence: p2 on a viral/bacterial image is undefined behaviour;
read p4 as well.

## Splits (committed: `training/splits/stage1_cls.csv`)
Patient-level hash split (seed 1234) 70/15/15 for cxr (by `patient_id`) and LUNA; UCSD keeps its own patient-disjoint split:
its train part is our train, its val patients are split half/half into our val and test.
Class-balanced sampling over {{covid19, normal (+non-COVID CT), viral, bacterial}} as in the paper. AdamW 1e-3, cosine, batch 16,
random affine (+-8 deg, scale 0.9-1.1), contrast/brightness jitter, no flips. **Budget (2 CPU cores)**: 2,600 steps at 224 px
then 400 steps at 299 px (the network is fully convolutional; the shipped input is 299), i.e. 48,000 samples, about 14 epochs of
the 3,341 training images, 32 min here. An earlier build with 300 steps reached accuracy 0.802 / AUROC 0.847, one with 1,400
steps 0.863 / 0.949: the model is still budget-limited.
Equal-budget comparisons, 200 steps at 224 px each with the same schedule (3,200 samples): `recognition-multimodal` (X-ray + CT,
as shipped), `recognition-xray` (uni-modal) and the leave-one-source-out runs `loso-kermany`, `loso-radiography-db`.
The shipped COVID-19 threshold (`thresholds.covid19` in manifest.json) was chosen on the validation patients (best balanced
accuracy); the test numbers are given at 0.5 and at that threshold.""",
failures="""## Known failure modes and shortcuts (read before trusting a number)
- **Measured shortcut (test split, p2 >= 0.5):** pediatric Kermany normals are called normal 99.0% of the time, adult
  radiography-db normals 73.3% (77.1% at the shipped threshold), ieee8023 "No Finding" adults 0 of 5, while COVID-19
  sensitivity is 0.97-0.98 on the adult X-ray sources: the 2-class head still leans on **child -> normal, adult -> COVID-19**.
  On an adult X-ray, expect false COVID-19 calls (specificity about 0.75). Target accuracy 0.93 was not reached (0.896).
- **Cross-source drop (leave-one-source-out, 200 steps):** a model that never saw radiography-db calls its adult normals
  normal only 18% of the time (AUROC 0.70), against 49% (AUROC 0.79) for the same-budget model that saw it; a model that never
  saw Kermany still calls Kermany's children normal 82% of the time (97% when seen). Expect the adult-normal specificity on a new
  hospital's X-rays to be well below the in-source 0.73-0.77.
- **Source = label.** In this data every normal X-ray comes from Kermany (pediatric, 224 px squashed) or radiography-db, and most
  COVID-19 X-rays from radiography-db and ieee8023 (adult, many portable AP films with burned-in markers). A high in-source
  accuracy can be "adult vs child" or "which archive" rather than COVID-19 vs normal. The leave-one-source-out rows measure this:
  a model that never saw Kermany must still call Kermany normals normal, and one that never saw radiography-db must separate its
  COVID-19 from its normals. Treat the cross-source figures, not the in-source ones, as the expectation on new hospitals.
- **Children**: the only pediatric images are Kermany's; the model has not seen adult viral/bacterial pneumonia in quantity
  (ieee8023 has a few dozen), so p4 viral vs bacterial is largely "which Kermany folder" and is unreliable for adults.
- **CT**: UCSD COVID images are crops of paper figures (annotations, odd windows, low resolution), non-COVID ones are web
  images and raw LUNA slices; the CT part of the model may key on figure style. A DICOM slice windowed by the contract looks
  like neither. CT results (n small) have wide intervals.
- Trained from scratch (no ImageNet weights offline) for about 14 epochs on 2 CPU cores; expect poorer calibration than the
  numbers suggest.
- Images of the held-out evaluation sets that near-duplicate these data were removed by the data curator; other duplicates
  across public COVID collections are likely.""")

TEXTS["manifestations"] = dict(body=f"""## Model
The paper's stage-2 multi-label CNN: five blocks of 5x5 conv (16, 32, 64, 64, 128 ch; BatchNorm + ReLU) + 2x2 max-pool +
dropout 0.25, then dense 128 and 64 (ELU, dropout 0.5) and 3 sigmoid outputs [ggo, consolidation, effusion]. 1.43 M parameters.
Masked binary cross-entropy (unknown labels contribute nothing), AdamW 1e-3, cosine, batch 16, 400 steps, flips/affine/intensity.

## Training data, labels and licences
{LIC_SEG}

{LICENCE_NOTE}

Slice labels come from masks: GGO / consolidation present in the Inf-Net doctor masks (effusion **masked**: MedSeg's effusion
label was dropped by that copy); effusion present in the ct-effusion masks (GGO / consolidation **masked**: no such labels for
these lung-cancer patients); LUNA slices: GGO = 0, consolidation = 0 (assumed: non-COVID screening CT), effusion masked;
pseudo-labelled slices: GGO = 1 when Semi-Inf-Net marks >= 200 px at 256 px (weak, since 48/50 doctor-labelled infected
slices contain GGO), otherwise masked; consolidation / effusion masked. Sampling balanced over GGO+, GGO/cons-negatives,
effusion-, effusion+.

{SEG_SPLIT}""",
failures="""## Known failure modes and shortcuts
- **Every label comes from a different source**: GGO/consolidation positives are Inf-Net JPEG crops, their negatives mostly LUNA
  JPEG slices, effusion examples are DICOM slices of six lung-cancer patients windowed by the contract. The network can therefore
  separate labels by image style. The GGO AUROC with LUNA negatives measures "COVID slice vs LUNA slice" as much as GGO; the
  Inf-Net-only line shows what is left inside COVID-19 slices (10 test slices, almost all positive: not estimable).
- Consolidation labels inside COVID-19 slices are few (39/50 positive); effusion was never seen on COVID-19 slices.
- **Effusion fails on the test patient** (AUROC 0.23: the effusion-free slices of that patient show its large tumour
  against the chest wall and score higher than the slices with its small effusion crescent). The label is effectively
  unusable on patients with pleural-based masses; four training patients cannot teach mass vs fluid.
- Test sets are tiny (10 Inf-Net slices, one effusion patient): the intervals are wide and the targets (AUROC >= 0.90 per label)
  cannot be demonstrated on this data with confidence.""")

TEXTS["seg-ggo"] = dict(body=f"""{SEG_ARCH}

Specialised stream: ground-glass opacity vs rest, sigmoid, 600 fine-tuning steps on the 30 train Inf-Net slices (doctor GGO
masks, transposed back to DICOM orientation) plus LUNA slices as all-negative images (1 LUNA per 3 Inf-Net draws) so that the
stream sees healthy lung and body wall.

## Training data and licences
{LIC_SEG}

{LICENCE_NOTE}

{SEG_SPLIT}""", failures="""## Known failure modes
- Only 30 labelled training slices (from 8-bit JPEG figure copies, cropped to the body, several with arrows or circles burned in);
  DICOM slices at inference look different (whole field of view, table, scanner noise).
- Can fire on vessels, fissures, partial-volume edges, and outside the lungs (chest wall, upper abdomen, neck): the model has
  no lung mask. The app limits its masks to the lungs with an anatomical gate on HU-calibrated DICOM (`docs/analyzer.md`,
  "Anatomical gate"); the numbers on this card are the raw model output, without that gate (the Inf-Net test slices are 8-bit JPEGs
  without HU).
- GGO vs consolidation boundaries are subjective; the labels are one radiologist's.
- Test = 10 slices, image-level split (patients may leak): optimistic.""")

TEXTS["seg-consolidation"] = dict(body=TEXTS["seg-ggo"]["body"].replace("ground-glass opacity vs rest", "consolidation vs rest").replace("sigmoid, 600 fine-tuning", "sigmoid, 600 fine-tuning")
                                  .replace("doctor GGO\nmasks", "doctor consolidation\nmasks"),
                                  failures="""## Known failure modes
- Consolidation is small and rare in these slices (39/50 slices, few pixels): Dice is unstable and low (published: 0.19-0.24 with
  the Inf-Net protocol). Often confused with GGO, vessels, heart and the posterior dependent lung.
- Fires outside the lungs on soft tissue of similar density (liver, spleen, chest wall, neck) because consolidation *is*
  soft-tissue density in the lung window; the model has no lung mask (the app's anatomical gate removes most of this on DICOM,
  see `docs/analyzer.md`; numbers here are without the gate).
- Test = 10 slices (7 with consolidation), image-level split: optimistic and wide intervals.""")

TEXTS["seg-effusion"] = dict(body=f"""{SEG_ARCH}

Specialised stream: pleural effusion vs rest, sigmoid, 500 fine-tuning steps on the 4 training patients of ct-effusion (DICOM,
HU -> contract window C=-450 W=1250) plus LUNA slices as all-negative images.

**Runs at the DICOM's native 512 px**, unlike the other streams (256 px): effusions in the held-out patients cover 200-750 px of
a 512x512 slice as crescents a few pixels thick, which at 256 px fall below what a stride-16 network resolves. It is trained on
256x256 crops of the 512 px slices (70% centred near an effusion pixel, the rest anywhere), so training costs what a 256 px model
costs; being fully convolutional, it runs on the whole 512 px slice (about 4x the inference time of a 256 px stream).

## Training data and licences
{LIC_SEG}

{LICENCE_NOTE}

{SEG_SPLIT}""", failures="""## Known failure modes
- **Window**: in the contract's lung window (C=-450, W=1250) fluid (0-20 HU) and soft tissue / collapsed lung (30-60 HU) differ by
  only ~5-10 grey levels; the stream relies on shape and position (dependent, crescent along the posterior chest wall) more than
  density, so it can mark dependent atelectasis, pleural thickening, or the liver/spleen dome at the lung base.
- Trained on **six lung-cancer patients in total** (four for training) from one Siemens series type; never saw COVID-19 slices,
  other scanners, contrast phases or pericardial effusion.
- Test = one patient (57 slices): not a population estimate. That patient (LUNG1-005) has a large right upper-lobe
  tumour lying against the posterior chest wall, with a small effusion crescent (200-730 px per 512x512 slice) beside
  it. The stream marks the **tumour as effusion** (soft-tissue density against the pleura looks like fluid in the lung
  window), so per-image Dice is 0.21 and it marks several thousand pixels on the tumour slices without effusion;
  on the validation patient (no such mass) it reaches 0.39-0.41. A mass, atelectasis or pleural thickening against
  the chest wall will be called effusion. Do not show its output without this caveat.
- Running at 256 px (earlier build) the same stream reached Dice 0.05 on this patient: the effusions are too thin
  for a stride-16 network at half resolution.""")

TEXTS["seg-all"] = dict(body=f"""{SEG_ARCH}

All-class stream: 4-class softmax [background, ggo, consolidation, effusion], 600 fine-tuning steps on the union of the training
sets (30 Inf-Net slices, 4 ct-effusion patients, LUNA negatives). **Partial-label loss**: where a label is unknown the loss is
`-log` of the summed probability of the admissible classes: Inf-Net and LUNA background pixels are "background or effusion"
(effusion was never labelled there), ct-effusion non-effusion pixels are "background, GGO or consolidation" (GGO/consolidation
never labelled there); labelled GGO / consolidation / effusion pixels use the plain class (pixel weights 2 / 4 / 3).
Masks are `argmax`.

## Training data and licences
{LIC_SEG}

{LICENCE_NOTE}

{SEG_SPLIT}""", failures="""## Known failure modes
- Effusion and GGO/consolidation were never labelled on the same slice, so the model never learnt their mutual boundary; on a
  COVID-19 slice with effusion (or a cancer patient with consolidation) the class choice is extrapolation.
- Same small-data, no-lung-mask and window caveats as the specialised streams (see their cards). On the bundled sample (a
  lung-cancer CT) the previous build of this model painted ~1750 mL of "consolidation" on neck slices; the app's anatomical
  gate now removes findings on slices without lung.
- Never predicts effusion on the test patient where the 512 px effusion stream finds part of it: the effusion class competes
  with background at 256 px, where the crescents are one or two pixels thick.""")
