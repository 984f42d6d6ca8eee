// Minimal typings for codec packages that ship none.
declare module '@cornerstonejs/codec-charls/decodewasmjs' {
  const factory: (options?: object) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module '@cornerstonejs/codec-openjpeg/decodewasmjs' {
  const factory: (options?: object) => Promise<Record<string, unknown>>;
  export default factory;
}
declare module '@cornerstonejs/codec-libjpeg-turbo-8bit/decodewasmjs' {
  const factory: (options?: object) => Promise<Record<string, unknown>>;
  export default factory;
}
