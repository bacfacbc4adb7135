/**
 * Constants of the DICOM Segmentation IOD as SacroPlan writes it. Pure.
 *
 * Sources: DICOM PS3.3 A.51 (Segmentation IOD), C.8.20 (Segmentation Series and Image modules),
 * PS3.4 B.5 (SOP class UID); codes from PS3.16 CID 7150 "Segmentation Property Categories" and
 * CID 7151 "Segmentation Property Types" (both SNOMED CT, scheme designator "SCT"), and
 * DCM codes from PS3.16 Annex D (121322, 113076).
 */

export const SEG_SOP_CLASS_UID = '1.2.840.10008.5.1.4.1.1.66.4';
/** Explicit VR Little Endian: every reader accepts it; BINARY frames are 1 bit per pixel already. */
export const EXPLICIT_VR_LE = '1.2.840.10008.1.2.1';
/** UID root for UIDs made from a hash or random bits (PS3.5 B.2: "2.25." + a 128-bit integer). */
export const UUID_ROOT = '2.25.';

export interface CodedConcept {
  readonly CodeValue: string;
  readonly CodingSchemeDesignator: string;
  readonly CodeMeaning: string;
}

/** CID 7150: SCT 49755003 "Morphologically Altered Structure" (the category of lesions). */
export const CATEGORY_ALTERED_STRUCTURE: CodedConcept = { CodeValue: '49755003', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Morphologically Altered Structure' };
/** CID 7151 (via CID 7159 lesion types): SCT 14799000 "Neoplasm, metastatic". */
export const TYPE_METASTATIC_NEOPLASM: CodedConcept = { CodeValue: '14799000', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Neoplasm, metastatic' };
/** PS3.16 D: DCM 121322 "Source image for image processing operation" (purpose of a source image reference). */
export const PURPOSE_SOURCE_IMAGE: CodedConcept = { CodeValue: '121322', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Source image for image processing operation' };
/** PS3.16 D: DCM 113076 "Segmentation" (how the frame was derived). */
export const DERIVATION_SEGMENTATION: CodedConcept = { CodeValue: '113076', CodingSchemeDesignator: 'DCM', CodeMeaning: 'Segmentation' };

/** (0062,000B) Referenced Segment Number and (0062,000A) Segment Identification Sequence. */
export const TAG_REFERENCED_SEGMENT_NUMBER = 0x0062000b;
export const TAG_SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000a;
/** (0020,0032) Image Position (Patient) and (0020,9113) Plane Position Sequence. */
export const TAG_IMAGE_POSITION_PATIENT = 0x00200032;
export const TAG_PLANE_POSITION_SEQUENCE = 0x00209113;

export const SEG_ALGORITHM_NAME = 'SacroPlan';

/** CID 7150: SCT 123037004 "Anatomical Structure" (the category of the sacrum mask). */
export const CATEGORY_ANATOMICAL_STRUCTURE: CodedConcept = { CodeValue: '123037004', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Anatomical Structure' };
/** SCT 54735007 "Sacrum" (CID 7151 via CID 4030 / 7154 anatomic structures). */
export const TYPE_SACRUM: CodedConcept = { CodeValue: '54735007', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Sacrum' };
/** CID 7150: SCT 309825002 "Spatial and Relational Concept" (the category of the Denis zones: regions, not tissues). */
export const CATEGORY_SPATIAL: CodedConcept = { CodeValue: '309825002', CodingSchemeDesignator: 'SCT', CodeMeaning: 'Spatial and Relational Concept' };
/**
 * Denis zones (Denis, Davis, Comfort 1988, Clin Orthop 227:67-81) have no SNOMED CT or DCM code: a
 * private coding scheme (designators beginning "99" are private, PS3.16 8.2), declared in the SEG's
 * Coding Scheme Identification Sequence as PS3.3 C.12.1.1.4 requires for schemes not in PS3.16.
 */
export const PRIVATE_SCHEME = { CodingSchemeDesignator: '99SACROPLAN', CodingSchemeName: 'SacroPlan concepts', CodingSchemeResponsibleOrganization: 'SacroPlan' } as const;
export const TYPE_DENIS_ZONE: Record<1 | 2 | 3, CodedConcept> = {
  1: { CodeValue: 'DENIS-1', CodingSchemeDesignator: '99SACROPLAN', CodeMeaning: 'Denis zone 1 (ala, lateral to the foramina)' },
  2: { CodeValue: 'DENIS-2', CodingSchemeDesignator: '99SACROPLAN', CodeMeaning: 'Denis zone 2 (foraminal)' },
  3: { CodeValue: 'DENIS-3', CodingSchemeDesignator: '99SACROPLAN', CodeMeaning: 'Denis zone 3 (central, spinal canal)' },
};
