/** The part of dcmjs (0.52, no bundled types) that io/seg uses: Part 10 read/write and colours. */
declare module 'dcmjs' {
  type Dataset = Record<string, unknown>;
  interface DicomDictInstance {
    meta: Dataset;
    dict: Dataset;
    write(options?: { fragmentMultiframe?: boolean; allowInvalidVRLength?: boolean }): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Dataset) => DicomDictInstance;
      DicomMessage: { readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean; untilTag?: string | null; noCopy?: boolean; forceStoreRaw?: boolean }): DicomDictInstance };
      DicomMetaDictionary: {
        naturalizeDataset(ds: Dataset): Dataset;
        denaturalizeDataset(ds: Dataset): Dataset;
      };
      Colors: { rgb2DICOMLAB(rgb: number[]): number[]; dicomlab2RGB(lab: number[]): number[] };
    };
  };
  export default dcmjs;
}
