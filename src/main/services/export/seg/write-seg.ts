import { packBits } from './bits';
import { rgbToDicomLab, type CodedConcept } from './codes';
import { dcmjsData, type NaturalDataset } from './dcmjs-runtime';
import type { SegSegmentInput, SegSource, SegWriteOptions } from './types';
import { newUid } from './uid';

export const SEGMENTATION_STORAGE_SOP_CLASS = '1.2.840.10008.5.1.4.1.1.66.4';
const EXPLICIT_VR_LITTLE_ENDIAN = '1.2.840.10008.1.2.1';
/** Pleura's implementation class UID (UUID-derived, fixed so files from every install agree). */
const IMPLEMENTATION_CLASS_UID = '2.25.167359418473152744237937216543786120001';

// Attribute tags the dimension index points at (AT values as dcmjs writes them: group << 16 | element).
const TAG_REFERENCED_SEGMENT_NUMBER = 0x0062000b;
const TAG_SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000a;
const TAG_IMAGE_POSITION_PATIENT = 0x00200032;
const TAG_PLANE_POSITION_SEQUENCE = 0x00209113;
const TAG_IN_STACK_POSITION_NUMBER = 0x00209057;
const TAG_FRAME_CONTENT_SEQUENCE = 0x00209111;

const SEGMENTATION_DERIVATION: CodedConcept = { CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' };
const SOURCE_IMAGE_PURPOSE: CodedConcept = {
  CodeValue: '121322',
  CodingSchemeDesignator: 'DCM',
  CodeMeaning: 'Source image for image processing operation',
};
const DEEP_LEARNING_FAMILY: CodedConcept = { CodeValue: '130532', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Deep Learning' };

/** DS values are at most 16 characters: keep as many significant digits as fit. */
export function formatDs(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`Cannot write ${value} as a DICOM decimal string.`);
  for (let digits = 12; digits >= 1; digits--) {
    const text = String(Number(value.toPrecision(digits)));
    if (text.length <= 16) return text;
  }
  return value.toExponential(6);
}

function dicomDate(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll('-', '');
}

function dicomTime(date: Date): string {
  return date.toISOString().slice(11, 19).replaceAll(':', '');
}

/** CS / LO / SH values must not exceed their lengths; clinicians' free text can. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : text.slice(0, max);
}

interface FramePlan {
  segmentNumber: number;
  sliceIndex: number;
}

function planFrames(segments: readonly SegSegmentInput[], slices: number, pixelsPerSlice: number): FramePlan[] {
  const plan: FramePlan[] = [];
  segments.forEach((segment, s) => {
    for (let slice = 0; slice < slices; slice++) {
      const start = slice * pixelsPerSlice;
      const end = start + pixelsPerSlice;
      // Only slices that hold the segment get a frame: the usual, compact SEG encoding.
      // (A plain loop: Array.prototype.some with a callback is several times slower on big volumes.)
      let holds = false;
      for (let i = start; i < end; i++) {
        if (segment.mask[i] !== 0) {
          holds = true;
          break;
        }
      }
      if (holds) plan.push({ segmentNumber: s + 1, sliceIndex: slice });
    }
  });
  // A SEG needs at least one frame; an all-empty segmentation gets one empty frame.
  if (plan.length === 0 && segments.length > 0) plan.push({ segmentNumber: 1, sliceIndex: 0 });
  return plan;
}

function segmentItem(segment: SegSegmentInput, number: number): NaturalDataset {
  const item: NaturalDataset = {
    SegmentNumber: number,
    SegmentLabel: clip(segment.label, 64),
    SegmentAlgorithmType: segment.algorithm.type,
    SegmentedPropertyCategoryCodeSequence: [{ ...segment.category }],
    SegmentedPropertyTypeCodeSequence: [{ ...segment.type }],
  };
  if (segment.description) item.SegmentDescription = clip(segment.description, 64);
  if (segment.algorithm.type !== 'MANUAL') {
    item.SegmentAlgorithmName = clip(segment.algorithm.name, 64);
    item.SegmentationAlgorithmIdentificationSequence = [
      {
        AlgorithmFamilyCodeSequence: [{ ...(segment.algorithm.family ?? DEEP_LEARNING_FAMILY) }],
        AlgorithmName: clip(segment.algorithm.name, 64),
        AlgorithmVersion: clip(segment.algorithm.version, 64),
      },
    ];
  }
  if (segment.colourRgb) item.RecommendedDisplayCIELabValue = rgbToDicomLab(segment.colourRgb);
  return item;
}

function validate(source: SegSource, segments: readonly SegSegmentInput[]): void {
  if (source.images.length === 0) throw new Error('A segmentation needs at least one source image.');
  if (segments.length === 0) throw new Error('A segmentation needs at least one segment.');
  const expected = source.images.length * source.rows * source.columns;
  for (const segment of segments) {
    if (segment.mask.length !== expected) {
      throw new Error(
        `Segment "${segment.label}" has ${segment.mask.length} mask values; ${source.images.length} slices of ${source.rows}x${source.columns} need ${expected}.`,
      );
    }
  }
}

/**
 * Builds a binary DICOM Segmentation (PS3.3 A.51) over a series: one segment per
 * input, one frame per (segment, slice holding the segment), each frame pointing at
 * its source image. Hand-built with dcmjs's dataset writer because dcmjs's own SEG
 * derivation needs the source datasets in memory and Cornerstone's adapters are not
 * a dependency; building it here also keeps every attribute under test.
 */
export function buildSegmentation(source: SegSource, segments: readonly SegSegmentInput[], options: SegWriteOptions): Uint8Array {
  validate(source, segments);
  const pixelsPerSlice = source.rows * source.columns;
  const plan = planFrames(segments, source.images.length, pixelsPerSlice);
  const hasPositions = source.frameOfReferenceUid !== null && source.images.every((image) => image.imagePositionPatient !== null);
  const now = options.contentDateTime ?? new Date();
  const sopInstanceUid = options.sopInstanceUid ?? newUid();
  const dimensionOrganizationUid = newUid();

  const frames = plan.map(({ segmentNumber, sliceIndex }) => {
    const start = sliceIndex * pixelsPerSlice;
    return segments[segmentNumber - 1]!.mask.subarray(start, start + pixelsPerSlice);
  });

  const perFrame = plan.map(({ segmentNumber, sliceIndex }) => {
    const image = source.images[sliceIndex]!;
    const sourceImage: NaturalDataset = {
      ReferencedSOPClassUID: image.sopClassUid,
      ReferencedSOPInstanceUID: image.sopInstanceUid,
      PurposeOfReferenceCodeSequence: [{ ...SOURCE_IMAGE_PURPOSE }],
    };
    if (image.frame !== null) sourceImage.ReferencedFrameNumber = image.frame + 1;
    const item: NaturalDataset = {
      DerivationImageSequence: [{ SourceImageSequence: [sourceImage], DerivationCodeSequence: [{ ...SEGMENTATION_DERIVATION }] }],
      FrameContentSequence: [
        hasPositions
          ? { DimensionIndexValues: [segmentNumber, sliceIndex + 1] }
          : { DimensionIndexValues: [segmentNumber, sliceIndex + 1], StackID: '1', InStackPositionNumber: sliceIndex + 1 },
      ],
      SegmentIdentificationSequence: [{ ReferencedSegmentNumber: segmentNumber }],
    };
    if (hasPositions) item.PlanePositionSequence = [{ ImagePositionPatient: image.imagePositionPatient!.map(formatDs) }];
    return item;
  });

  const pixelMeasures: NaturalDataset = {};
  if (source.pixelSpacing) pixelMeasures.PixelSpacing = source.pixelSpacing.map(formatDs);
  if (source.sliceThickness !== null) pixelMeasures.SliceThickness = formatDs(source.sliceThickness);
  if (source.spacingBetweenSlices !== null) pixelMeasures.SpacingBetweenSlices = formatDs(source.spacingBetweenSlices);
  const shared: NaturalDataset = {};
  if (Object.keys(pixelMeasures).length > 0) shared.PixelMeasuresSequence = [pixelMeasures];
  if (source.imageOrientationPatient) shared.PlaneOrientationSequence = [{ ImageOrientationPatient: source.imageOrientationPatient.map(formatDs) }];

  const secondDimension = hasPositions
    ? { DimensionIndexPointer: TAG_IMAGE_POSITION_PATIENT, FunctionalGroupPointer: TAG_PLANE_POSITION_SEQUENCE, DimensionDescriptionLabel: 'Image Position Patient' }
    : { DimensionIndexPointer: TAG_IN_STACK_POSITION_NUMBER, FunctionalGroupPointer: TAG_FRAME_CONTENT_SEQUENCE, DimensionDescriptionLabel: 'In-Stack Position' };

  const dataset: NaturalDataset = {
    SpecificCharacterSet: 'ISO_IR 192',
    ImageType: ['DERIVED', 'PRIMARY'],
    InstanceCreationDate: dicomDate(now),
    InstanceCreationTime: dicomTime(now),
    SOPClassUID: SEGMENTATION_STORAGE_SOP_CLASS,
    SOPInstanceUID: sopInstanceUid,
    StudyDate: source.studyDate,
    SeriesDate: dicomDate(now),
    ContentDate: dicomDate(now),
    StudyTime: source.studyTime,
    SeriesTime: dicomTime(now),
    ContentTime: dicomTime(now),
    AccessionNumber: source.accessionNumber,
    Modality: 'SEG',
    Manufacturer: options.manufacturer,
    ReferringPhysicianName: source.referringPhysicianName,
    StudyDescription: source.studyDescription,
    SeriesDescription: clip(options.seriesDescription, 64),
    ManufacturerModelName: options.manufacturerModelName,
    ReferencedSeriesSequence: [
      {
        SeriesInstanceUID: source.seriesInstanceUid,
        ReferencedInstanceSequence: uniqueInstances(source).map((image) => ({
          ReferencedSOPClassUID: image.sopClassUid,
          ReferencedSOPInstanceUID: image.sopInstanceUid,
        })),
      },
    ],
    PatientName: source.patientName,
    PatientID: source.patientId,
    PatientBirthDate: source.patientBirthDate,
    PatientSex: source.patientSex,
    ...(options.deidentificationMethod
      ? { PatientIdentityRemoved: 'YES', DeidentificationMethod: clip(options.deidentificationMethod, 64) }
      : {}),
    DeviceSerialNumber: options.deviceSerialNumber ?? '1',
    SoftwareVersions: options.softwareVersions,
    StudyInstanceUID: source.studyInstanceUid,
    SeriesInstanceUID: options.seriesInstanceUid ?? newUid(),
    StudyID: source.studyId,
    SeriesNumber: options.seriesNumber,
    InstanceNumber: options.instanceNumber ?? 1,
    // Without a frame of reference (e.g. projection X-rays) General Image needs Patient Orientation (type 2C).
    ...(hasPositions ? { FrameOfReferenceUID: source.frameOfReferenceUid, PositionReferenceIndicator: '' } : { PatientOrientation: '' }),
    DimensionOrganizationSequence: [{ DimensionOrganizationUID: dimensionOrganizationUid }],
    DimensionOrganizationType: '3D',
    DimensionIndexSequence: [
      {
        DimensionOrganizationUID: dimensionOrganizationUid,
        DimensionIndexPointer: TAG_REFERENCED_SEGMENT_NUMBER,
        FunctionalGroupPointer: TAG_SEGMENT_IDENTIFICATION_SEQUENCE,
        DimensionDescriptionLabel: 'Segment Number',
      },
      { DimensionOrganizationUID: dimensionOrganizationUid, ...secondDimension },
    ],
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    NumberOfFrames: frames.length,
    Rows: source.rows,
    Columns: source.columns,
    BitsAllocated: 1,
    BitsStored: 1,
    HighBit: 0,
    PixelRepresentation: 0,
    LossyImageCompression: '00',
    ContentLabel: clip(options.contentLabel.toUpperCase().replace(/[^A-Z0-9_ ]/g, '_'), 16),
    ContentDescription: clip(options.contentDescription, 64),
    ContentCreatorName: options.contentCreatorName ?? '',
    SegmentationType: 'BINARY',
    SegmentSequence: segments.map((segment, index) => segmentItem(segment, index + 1)),
    SharedFunctionalGroupsSequence: [shared],
    PerFrameFunctionalGroupsSequence: perFrame,
    PixelData: [toStandaloneBuffer(packBits(frames, pixelsPerSlice))],
    _vrMap: { PixelData: 'OB' },
  };

  const meta: NaturalDataset = {
    FileMetaInformationVersion: toStandaloneBuffer(new Uint8Array([0, 1])),
    MediaStorageSOPClassUID: SEGMENTATION_STORAGE_SOP_CLASS,
    MediaStorageSOPInstanceUID: sopInstanceUid,
    TransferSyntaxUID: EXPLICIT_VR_LITTLE_ENDIAN,
    ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
    ImplementationVersionName: 'PLEURA_SEG_1',
  };
  const { DicomDict, DicomMetaDictionary } = dcmjsData;
  const dict = new DicomDict(DicomMetaDictionary.denaturalizeDataset(meta));
  dict.dict = DicomMetaDictionary.denaturalizeDataset(dataset);
  return new Uint8Array(dict.write());
}

function uniqueInstances(source: SegSource) {
  const seen = new Set<string>();
  return source.images.filter((image) => {
    if (seen.has(image.sopInstanceUid)) return false;
    seen.add(image.sopInstanceUid);
    return true;
  });
}

function toStandaloneBuffer(bytes: Uint8Array): ArrayBuffer {
  const buffer = new ArrayBuffer(bytes.byteLength);
  new Uint8Array(buffer).set(bytes);
  return buffer;
}
