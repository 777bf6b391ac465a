#!/usr/bin/python3
"""Builds resources/sample/ from the TCIA Lung-PET-CT-Dx series (see ATTRIBUTION.md).

Re-encodes each slice losslessly to JPEG-LS (1.2.840.10008.1.2.4.80) with GDCM and
checks that every decoded pixel equals the original. Everything else in the files
(UIDs, geometry, patient module of this public, already de-identified series) is kept.
Run with Debian's Python: /usr/bin/python3 resources/sample/make-sample.py
"""
import glob
import os
import sys

import gdcm
import numpy
import pydicom

SOURCE = '/work/shared/data/dicom/ct_chest_series/Lung_Dx-A0001/04-04-2007-NA-Chest-07990/2.000000-5mm-40805'
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'Lung_Dx-A0001', 'CT-chest-5mm')


def encode(source, target):
    reader = gdcm.ImageReader()
    reader.SetFileName(source)
    if not reader.Read():
        raise RuntimeError(f'GDCM cannot read {source}')
    change = gdcm.ImageChangeTransferSyntax()
    change.SetTransferSyntax(gdcm.TransferSyntax(gdcm.TransferSyntax.JPEGLSLossless))
    change.SetInput(reader.GetImage())
    if not change.Change():
        raise RuntimeError(f'GDCM cannot re-encode {source}')
    writer = gdcm.ImageWriter()
    writer.SetFileName(target)
    writer.SetFile(reader.GetFile())
    writer.SetImage(change.GetOutput())
    if not writer.Write():
        raise RuntimeError(f'GDCM cannot write {target}')


def main():
    os.makedirs(OUT, exist_ok=True)
    sources = sorted(glob.glob(os.path.join(SOURCE, '*.dcm')))
    if len(sources) != 64:
        sys.exit(f'expected 64 slices, found {len(sources)}')
    for source in sources:
        target = os.path.join(OUT, os.path.basename(source))
        encode(source, target)
        original = pydicom.dcmread(source)
        encoded = pydicom.dcmread(target)
        # GDCM adds Rescale Type 'US' (unspecified), which is wrong for CT (HU); drop
        # anything it added to the data set so only the encoding differs.
        added = [tag for tag in encoded.keys() if tag not in original]
        if added:
            for tag in added:
                del encoded[tag]
            encoded.save_as(target, write_like_original=True)
            encoded = pydicom.dcmread(target)
        assert encoded.file_meta.TransferSyntaxUID == '1.2.840.10008.1.2.4.80', target
        assert encoded.SOPInstanceUID == original.SOPInstanceUID, target
        assert list(encoded.ImagePositionPatient) == list(original.ImagePositionPatient), target
        assert sorted(encoded.keys()) == sorted(original.keys()), target
        if not numpy.array_equal(original.pixel_array, encoded.pixel_array):
            sys.exit(f'pixel mismatch in {target}')
    total = sum(os.path.getsize(path) for path in glob.glob(os.path.join(OUT, '*.dcm')))
    print(f'{len(sources)} slices re-encoded to JPEG-LS lossless, pixels identical to the originals, {total / 1e6:.1f} MB')


if __name__ == '__main__':
    main()
